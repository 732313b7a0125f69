package dev.tandem.request;

/** Why a sequence stopped, as the OpenAI API reports it (abort is ours). */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length"),
    ABORT("abort");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
