package dev.tandem.device.openvino;

/** A failed OpenVINO call, with the call's name, its status code and OpenVINO's own message. */
public final class OpenVinoException extends RuntimeException {
    private final int status;

    public OpenVinoException(String call, int status, String message) {
        super(call + " failed (status " + status + "): " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
