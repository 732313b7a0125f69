package dev.tandem.shard.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.device.openvino.ElementType;
import dev.tandem.device.openvino.OpenVinoException;
import dev.tandem.device.openvino.OpenVinoLibrary;
import dev.tandem.device.openvino.OpenVinoRuntime;
import dev.tandem.device.openvino.OvCompiledModel;
import dev.tandem.device.openvino.OvCore;
import dev.tandem.device.openvino.OvInferRequest;
import dev.tandem.device.openvino.OvModel;
import dev.tandem.device.openvino.PortInfo;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.OpenVinoOptions;
import dev.tandem.shm.KvArena;
import dev.tandem.testsupport.OpenVinoDouble;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding and the backend's load-time rules against the contract double: errors, lifetimes, checks, cache. */
class OpenVinoContractTest {
    static ModelConfig config;
    static OpenVinoRuntime ov;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        config = ModelConfig.parse(new ObjectMapper()
                .readTree(Path.of("models/demo-llama-6m/config.json").toFile()));
        ov = OpenVinoRuntime.load(Optional.of(OpenVinoDouble.library()));
    }

    private OpenVinoOptions options(Path ir, int chunk, Map<String, String> properties) {
        return new OpenVinoOptions(Optional.of(OpenVinoDouble.library()), ir, chunk, dir.resolve("cache"), properties);
    }

    private OpenVinoRunner runner(Path ir, String device, Map<String, String> properties, KvArena arena) {
        PagedKvLayout layout = new PagedKvLayout(config.numLayers(), config.numKvHeads(), config.headDim(), 16, 8);
        return new OpenVinoRunner(config, options(ir, 16, properties), device, arena, layout, 64, 4);
    }

    @Test
    void readsDevicesPortsAndVersionAndReleasesEverything() throws Throwable {
        long live = OpenVinoDouble.liveObjects(), allocations = OpenVinoDouble.liveAllocations();
        Path ir = OpenVinoDouble.writeIr(dir, config, true, false);
        try (OvCore core = ov.createCore();
                OvModel model = core.readModel(ir, null)) {
            assertEquals(List.of("CPU", "GPU", "NPU"), core.availableDevices());
            assertEquals("Contract double NPU", core.deviceProperty("NPU", "FULL_DEVICE_NAME"));
            List<PortInfo> inputs = model.inputs();
            assertEquals(3 + 2 * config.numLayers(), inputs.size());
            assertEquals("input_ids i64[?,?]", inputs.getFirst().toString());
            PortInfo logits = model.outputs().getFirst();
            assertEquals("logits", logits.name());
            assertEquals(ElementType.F32, logits.type());
            assertEquals(config.vocabSize(), logits.dims()[2]);
            model.reshape(Map.of("input_ids", new long[] {1, 8}));
            assertEquals("input_ids i64[1,8]", model.inputs().getFirst().toString());
            assertTrue(ov.version().startsWith("2025.4.0"));
        }
        assertEquals(live, OpenVinoDouble.liveObjects());
        assertEquals(allocations, OpenVinoDouble.liveAllocations());
    }

    @Test
    void failedCallsCarryOpenVinosOwnMessage() throws Throwable {
        Path ir = OpenVinoDouble.writeIr(dir, config, true, false);
        try (OvCore core = ov.createCore()) {
            OpenVinoException missing =
                    assertThrows(OpenVinoException.class, () -> core.readModel(dir.resolve("nope.xml"), null));
            assertTrue(
                    missing.getMessage().contains("ov_core_read_model")
                            && missing.getMessage().contains("nope.xml cannot be opened"),
                    missing.getMessage());
            try (OvModel model = core.readModel(ir, null)) {
                OpenVinoException npu =
                        assertThrows(OpenVinoException.class, () -> core.compile(model, "NPU", Map.of()));
                assertTrue(npu.getMessage().contains("dynamic shapes are not supported"), npu.getMessage());
                OpenVinoException property = assertThrows(
                        OpenVinoException.class, () -> core.compile(model, "GPU", Map.of("NPUW_LLM", "YES")));
                assertTrue(
                        property.getMessage().contains("Option 'NPUW_LLM' is not supported for GPU"),
                        property.getMessage());
                try (OvCompiledModel compiled = core.compile(model, "GPU", Map.of());
                        OvInferRequest request = compiled.createInferRequest();
                        Arena arena = Arena.ofConfined()) {
                    OpenVinoException type = assertThrows(
                            OpenVinoException.class,
                            () -> request.setTensor(
                                    "input_ids", ElementType.I32, new long[] {1, 4}, arena.allocate(64)));
                    assertTrue(type.getMessage().contains("element type"), type.getMessage());
                    OpenVinoException unbound = assertThrows(OpenVinoException.class, request::infer);
                    assertTrue(unbound.getMessage().contains("has no tensor"), unbound.getMessage());
                }
            }
        }
    }

    @Test
    void closingTwiceReleasesOnceAndAClosedModelIsNotUsed() throws Throwable {
        int before = OpenVinoDouble.violations();
        OvCore core = ov.createCore();
        core.close();
        core.close(); // the binding forgets the handle: no second ov_core_free
        assertEquals(before, OpenVinoDouble.violations(), "closing twice must not release twice");
        assertThrows(IllegalStateException.class, () -> {
            OvModel model;
            try (OvCore c = ov.createCore()) {
                model = c.readModel(OpenVinoDouble.writeIr(dir, config, true, false), null);
            }
            model.close();
            model.inputs();
        });
    }

    @Test
    void theDoubleRecordsAHandleReleasedTwice() throws Throwable {
        // Straight through FFM, as a buggy binding would call it: the double must notice.
        var lookup = java.lang.foreign.SymbolLookup.libraryLookup(Path.of(OpenVinoDouble.library()), Arena.global());
        var linker = java.lang.foreign.Linker.nativeLinker();
        var create = linker.downcallHandle(
                lookup.find("ov_core_create").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(
                        java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS));
        var free = linker.downcallHandle(
                lookup.find("ov_core_free").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.ofVoid(java.lang.foreign.ValueLayout.ADDRESS));
        int before = OpenVinoDouble.violations();
        try (Arena arena = Arena.ofConfined()) {
            var out = arena.allocate(java.lang.foreign.ValueLayout.ADDRESS);
            assertEquals(0, (int) create.invokeExact(out));
            var core = out.get(java.lang.foreign.ValueLayout.ADDRESS, 0);
            free.invokeExact(core);
            free.invokeExact(core);
        }
        assertEquals(before + 1, OpenVinoDouble.violations());
        assertTrue(OpenVinoDouble.lastViolation().contains("ov_core_t released twice"), OpenVinoDouble.lastViolation());
    }

    @Test
    void refusesAStatefulOrMismatchedIrSayingWhatDiffers() throws Exception {
        try (KvArena arena = KvArena.anonymous(1 << 22)) {
            Path stateful = OpenVinoDouble.writeIr(dir.resolve("stateful"), config, true, true);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> runner(stateful, "GPU", Map.of(), arena));
            assertTrue(
                    e.getMessage().contains("stateful") && e.getMessage().contains("--disable-stateful"),
                    e.getMessage());
            ModelConfig other = ModelConfig.parse(new ObjectMapper()
                    .readTree(new ObjectMapper()
                            .writeValueAsString(Map.of(
                                    "architectures",
                                    List.of("LlamaForCausalLM"),
                                    "vocab_size",
                                    4096,
                                    "hidden_size",
                                    256,
                                    "intermediate_size",
                                    768,
                                    "num_hidden_layers",
                                    6,
                                    "num_attention_heads",
                                    8,
                                    "num_key_value_heads",
                                    2,
                                    "head_dim",
                                    32,
                                    "max_position_embeddings",
                                    1024))));
            Path wrongHeads = OpenVinoDouble.writeIr(dir.resolve("heads"), other, true, false);
            IllegalArgumentException heads =
                    assertThrows(IllegalArgumentException.class, () -> runner(wrongHeads, "GPU", Map.of(), arena));
            assertTrue(
                    heads.getMessage()
                            .contains("input past_key_values.0.key has shape [?,2,?,32]: dimension 1 should be 4"),
                    heads.getMessage());
        }
        IllegalArgumentException chunk =
                assertThrows(IllegalArgumentException.class, () -> options(dir, 100, Map.of()));
        assertTrue(chunk.getMessage().contains("power of two"), chunk.getMessage());
    }

    @Test
    void theSecondStartLoadsTheCompiledModelFromTheCacheDir() throws Exception {
        Path ir = OpenVinoDouble.writeIr(dir, config, false, false);
        try (KvArena arena = KvArena.anonymous(1 << 22)) {
            try (OpenVinoRunner first = runner(ir, "NPU", Map.of(), arena)) {
                assertFalse(first.loadedFromCache());
                assertTrue(first.describe().contains("stored in"), first.describe());
            }
            try (OpenVinoRunner second = runner(ir, "NPU", Map.of(), arena)) {
                assertTrue(second.loadedFromCache(), "same IR, device and properties: the blob in CACHE_DIR is used");
            }
            try (OpenVinoRunner changed = runner(ir, "NPU", Map.of("NPUW_LLM_MIN_RESPONSE_LEN", "64"), arena)) {
                assertFalse(changed.loadedFromCache(), "other properties make another blob");
            }
        }
    }

    @Test
    void aMissingLibraryIsReportedWithWhereItWasLookedFor() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> OpenVinoRuntime.load(Optional.of(dir.resolve("lib").toString())));
        assertTrue(
                e.getMessage().contains(OpenVinoLibrary.FILE_NAME + " was not found in " + dir.resolve("lib")),
                e.getMessage());
        String searched = OpenVinoLibrary.searched(Optional.empty(), "/a:/b");
        assertTrue(
                searched.contains("/a/libopenvino_c.so, /b/libopenvino_c.so")
                        && searched.contains("/usr/lib/x86_64-linux-gnu"),
                searched);
        assertEquals(
                Optional.of(OpenVinoDouble.LIBRARY),
                OpenVinoLibrary.locate(Optional.empty(), "/nonexistent:" + OpenVinoDouble.DIR));
    }
}
