package dev.tandem.device;

/** Test helper run as its own JVM (the loader reads ZE_ENABLE_ALT_DRIVERS from the environment): prints what discovery finds. */
public final class DiscoveryMain {
    public static void main(String[] args) {
        Discovery d = LevelZeroDiscovery.discover();
        System.out.println("status " + d.status());
        for (Device device : d.devices()) {
            System.out.println("device " + device);
        }
    }
}
