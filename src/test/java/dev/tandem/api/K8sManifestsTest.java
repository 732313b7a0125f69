package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.testsupport.BuildEnvironment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The manifests under k8s/, parsed into Kubernetes' own object model (fabric8), hold together with
 * each other and with the application: probes answer on this server, ports are its port, the KV
 * arena's /dev/shm is memory and big enough, the Intel device resources and NFD labels are the
 * plugins' own names, and the image tag is this build's version.
 */
@QuarkusTest
class K8sManifestsTest {
    static final Path BASE = Path.of("k8s/base");
    static final Path CPU_ONLY = Path.of("k8s/overlays/cpu-only");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String NPU = "npu.intel.com/accel";
    static final String GPU = "gpu.intel.com/i915";

    @TestHTTPResource("/")
    URL root;

    static <T> T read(Path file, Class<T> type) throws Exception {
        return YAML.readValue(file.toFile(), type);
    }

    static DaemonSet daemonSet() throws Exception {
        return read(BASE.resolve("daemonset.yaml"), DaemonSet.class);
    }

    static Container container() throws Exception {
        return daemonSet().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static Properties properties(String text) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    static Properties configMapProperties() throws Exception {
        return properties(
                read(BASE.resolve("configmap.yaml"), ConfigMap.class).getData().get("application.properties"));
    }

    static Properties applicationProperties() throws Exception {
        return properties(Files.readString(Path.of("src/main/resources/application.properties")));
    }

    @Test
    void everyManifestParsesAndTheKustomizationListsThem() throws Exception {
        JsonNode kustomization =
                YAML.readTree(BASE.resolve("kustomization.yaml").toFile());
        List<String> resources = kustomization
                .path("resources")
                .valueStream()
                .map(JsonNode::asText)
                .toList();
        try (var files = Files.list(BASE)) {
            List<String> manifests = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .sorted()
                    .toList();
            assertEquals(manifests, resources.stream().sorted().toList(), "kustomization resources");
        }
        for (String file : resources) {
            GenericKubernetesResource r = read(BASE.resolve(file), GenericKubernetesResource.class);
            assertNotNull(r.getApiVersion(), file);
            assertNotNull(r.getMetadata().getName(), file);
        }
        assertEquals("DaemonSet", daemonSet().getKind());
        assertEquals(
                "Service", read(BASE.resolve("service.yaml"), Service.class).getKind());
    }

    @Test
    void podLandsOnIntelNpuAndGpuNodesWithTheirDevices() throws Exception {
        PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();
        var terms = pod.getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertEquals(1, terms.size(), "one term: NPU and GPU on the same node");
        Map<String, List<String>> labels = new java.util.TreeMap<>();
        terms.get(0).getMatchExpressions().forEach(e -> labels.put(e.getKey(), e.getValues()));
        assertEquals(
                Map.of(
                        "intel.feature.node.kubernetes.io/npu",
                        List.of("true"),
                        "intel.feature.node.kubernetes.io/gpu",
                        List.of("true")),
                labels);
        Map<String, Quantity> limits = container().getResources().getLimits();
        Map<String, Quantity> requests = container().getResources().getRequests();
        for (String device : List.of(NPU, GPU)) {
            assertEquals(new Quantity("1"), limits.get(device), device);
            assertEquals(limits.get(device), requests.get(device), "extended resources: requests equal limits");
        }
        assertTrue(limits.containsKey("memory") && requests.containsKey("cpu"), "memory limit and CPU request");
        assertEquals("NPU", configMapProperties().getProperty("tandem.shards.prefill.device"));
        assertEquals("GPU", configMapProperties().getProperty("tandem.shards.decode.device"));
    }

    @Test
    void portsAreTheApplicationsPort() throws Exception {
        int port = Integer.parseInt(applicationProperties().getProperty("quarkus.http.port"));
        var containerPort = container().getPorts().get(0);
        assertEquals("http", containerPort.getName());
        assertEquals(port, containerPort.getContainerPort());
        assertEquals(String.valueOf(port), configMapProperties().getProperty("quarkus.http.port"));
        // The container runs the image's entrypoint followed by these args, as one command line.
        List<String> command = new java.util.ArrayList<>(List.of(applicationProperties()
                .getProperty("quarkus.jib.jvm-entrypoint")
                .split(",")));
        command.addAll(container().getArgs());
        assertEquals(String.valueOf(port), command.get(command.indexOf("--port") + 1));
        assertEquals("0.0.0.0", command.get(command.indexOf("--host") + 1), "listens on the pod's address");
        for (String option : List.of("serve", "--port", "--host")) {
            assertEquals(command.indexOf(option), command.lastIndexOf(option), option + " given once: " + command);
        }
        Service service = read(BASE.resolve("service.yaml"), Service.class);
        assertEquals("Local", service.getSpec().getInternalTrafficPolicy(), "node-local");
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        Map<String, String> podLabels =
                daemonSet().getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(
                podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "Service selects the pods");
        assertTrue(podLabels
                .entrySet()
                .containsAll(
                        daemonSet().getSpec().getSelector().getMatchLabels().entrySet()));
    }

    @Test
    void probesAndScrapeAnswerOnThisServer() throws Exception {
        Container c = container();
        Map<String, Probe> probes = Map.of(
                "startup", c.getStartupProbe(), "liveness", c.getLivenessProbe(), "readiness", c.getReadinessProbe());
        for (var e : probes.entrySet()) {
            var get = e.getValue().getHttpGet();
            assertEquals("http", get.getPort().getStrVal(), e.getKey() + " probe port");
            var response = Http.get(root.toString().replaceAll("/$", "") + get.getPath());
            assertEquals(200, response.statusCode(), e.getKey() + " probe " + get.getPath() + ": " + response.body());
            assertTrue(response.body().contains("\"UP\""), response.body());
        }
        assertTrue(
                c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds() >= 300,
                "a big model may take minutes to load");
        GenericKubernetesResource monitor = read(BASE.resolve("podmonitor.yaml"), GenericKubernetesResource.class);
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        assertEquals("PodMonitor", monitor.getKind());
        JsonNode endpoint = YAML.valueToTree(monitor.getAdditionalProperties().get("spec"))
                .path("podMetricsEndpoints")
                .get(0);
        assertEquals("http", endpoint.path("port").asText());
        var metrics = Http.get(
                root.toString().replaceAll("/$", "") + endpoint.path("path").asText());
        assertEquals(200, metrics.statusCode());
        assertTrue(
                metrics.body().contains("tandem_time_to_first_token_seconds"),
                "the scrape path serves Tandem's metrics");
    }

    @Test
    void sharedMemoryIsAnInMemoryVolumeBigEnoughForTheKvArena() throws Exception {
        PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();
        VolumeMount shm = container().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/dev/shm"))
                .findFirst()
                .orElseThrow();
        Volume volume = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(shm.getName()))
                .findFirst()
                .orElseThrow();
        assertEquals("Memory", volume.getEmptyDir().getMedium());
        long sizeBytes =
                Quantity.getAmountInBytes(volume.getEmptyDir().getSizeLimit()).longValue();
        Properties config = configMapProperties();
        assertEquals("/dev/shm", config.getProperty("tandem.engine.kv-shared-memory-dir"));
        long kvBytes = Long.parseLong(config.getProperty("tandem.engine.kv-cache-mib")) << 20;
        assertTrue(sizeBytes >= kvBytes, "/dev/shm " + sizeBytes + " bytes holds the " + kvBytes + "-byte arena");
        long memoryLimit = Quantity.getAmountInBytes(
                        container().getResources().getLimits().get("memory"))
                .longValue();
        assertTrue(memoryLimit > sizeBytes + (1L << 30), "the memory limit covers the in-memory /dev/shm and the JVMs");
        VolumeMount configMount = container().getVolumeMounts().stream()
                .filter(m -> m.getName().equals("config"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "/opt/tandem/config",
                configMount.getMountPath(),
                "Quarkus reads config/application.properties of its working directory");
        assertEquals(
                "tandem-config",
                pod.getVolumes().stream()
                        .filter(v -> v.getName().equals("config"))
                        .findFirst()
                        .orElseThrow()
                        .getConfigMap()
                        .getName());
        assertTrue(container().getSecurityContext().getReadOnlyRootFilesystem());
        assertTrue(
                container().getVolumeMounts().stream()
                        .anyMatch(m -> m.getMountPath().equals("/tmp")),
                "writable /tmp");
        assertTrue(daemonSet()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsNonRoot());
    }

    @Test
    void imageTagIsThisBuildsVersion() throws Exception {
        JsonNode image = YAML.readTree(BASE.resolve("kustomization.yaml").toFile())
                .path("images")
                .get(0);
        assertEquals(
                container().getImage(), image.path("name").asText(), "the kustomization sets the container's image");
        assertEquals(BuildEnvironment.projectVersion(), image.path("newTag").asText(), "image tag = project version");
        Properties app = applicationProperties();
        assertEquals(
                image.path("newName").asText(),
                app.getProperty("quarkus.container-image.group") + "/"
                        + app.getProperty("quarkus.container-image.name"),
                "the image the build makes");
    }

    @Test
    void cpuOnlyOverlayDropsDevicesAndAffinity() throws Exception {
        JsonNode kustomization =
                YAML.readTree(CPU_ONLY.resolve("kustomization.yaml").toFile());
        assertEquals("../../base", kustomization.path("resources").get(0).asText());
        DaemonSet patch = read(
                CPU_ONLY.resolve(
                        kustomization.path("patches").get(0).path("path").asText()),
                DaemonSet.class);
        assertEquals(
                daemonSet().getMetadata().getName(),
                patch.getMetadata().getName(),
                "the patch targets the base DaemonSet");
        JsonNode raw = YAML.readTree(CPU_ONLY.resolve("daemonset-cpu.yaml").toFile())
                .path("spec")
                .path("template")
                .path("spec");
        assertTrue(raw.has("affinity") && raw.path("affinity").isNull(), "affinity removed");
        JsonNode resources = raw.path("containers").get(0).path("resources");
        for (String kind : List.of("requests", "limits")) {
            for (String device : List.of(NPU, GPU)) {
                assertTrue(
                        resources.path(kind).has(device)
                                && resources.path(kind).path(device).isNull(),
                        kind + " " + device + " removed");
            }
        }
        Properties cpu = properties(Files.readString(CPU_ONLY.resolve("application.properties")));
        assertEquals("CPU", cpu.getProperty("tandem.shards.prefill.device"));
        assertEquals("CPU", cpu.getProperty("tandem.shards.decode.device"));
        for (String key : configMapProperties().stringPropertyNames()) {
            assertTrue(
                    cpu.containsKey(key), "the CPU overlay's properties replace the base's whole file; missing " + key);
        }
        assertFalse(cpu.containsKey("tandem.hardware.strict")
                && cpu.getProperty("tandem.hardware.strict").equals("true"));
        assertNull(patch.getSpec().getTemplate().getSpec().getAffinity());
    }
}
