package headwise.engine.io.onnx;

import headwise.engine.HeadwiseException;
import headwise.engine.io.DType;
import headwise.engine.io.TensorSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The float32 initializers of an ONNX model, under Hugging Face names, read without any protobuf library
 * (see {@link ProtoReader}).
 *
 * <p>PyTorch exports keep HF names for biases, LayerNorm weights and embeddings, but store each Linear
 * weight unnamed ({@code onnx::MatMul_787}) and transposed, [in, out], as the second input of a MatMul. Such a
 * weight is named by following the MatMul to the Add that consumes its output: that Add's other input is
 * the bias initializer ({@code ….bias}), and the weight becomes {@code ….weight}. Renamed weights are
 * presented as HF Linear weights, [out, in]: {@link #shape} reports [out, in] and {@link #floats} returns
 * the transposed data.
 *
 * <p>{@link #names()} holds only HF-named float tensors: integer initializers (shape constants, position
 * ids) are ignored, as are initializers with exporter-generated names ({@code onnx::…}, {@code /…}).
 * Only FLOAT (float32) data is supported, stored in the file itself (not as external data).
 * The file is memory-mapped and tensors are decoded on request.
 */
public final class OnnxTensorSource implements TensorSource {

    /** Protobuf (and so ONNX without external data) cannot exceed 2 GiB; neither can one mapping. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE;
    /** Real models have at most some thousands; the caps bound memory on hostile files. */
    static final int MAX_INITIALIZERS = 1_000_000;
    static final int MAX_LINK_NODES = 1_000_000;
    static final int MAX_DIMS = 64;

    static final int FLOAT = 1;

    /** Integer, boolean and string element types: never weights, so silently ignored. */
    private static final Set<Integer> NON_WEIGHT_TYPES = Set.of(2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 21, 22);

    private static final String[] TYPE_NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
        "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1"};

    /**
     * One TensorProto as found in the file. {@code body} is a reader over the whole message, kept unread and
     * rewound for each decode; {@code raw} is the raw_data slice (null if absent); {@code floatCount} counts
     * values in float_data.
     */
    private record Initializer(String name, long[] dims, int dataType, int dataLocation, boolean external,
                               boolean segmented, ByteBuffer raw, long floatCount, ProtoReader body) {
    }

    /** An exposed tensor: its initializer, the shape callers see, and whether [in, out] is transposed on load. */
    private record Entry(Initializer tensor, long[] shape, int count, boolean transposed) {
    }

    /** A MatMul or Add node in the default domain with two inputs and one output. */
    private record Node(String opType, String in0, String in1, String out) {
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, Initializer> initializers;

    private OnnxTensorSource(Path file, Map<String, Entry> entries, Map<String, Initializer> initializers) {
        this.file = file;
        this.entries = entries;
        this.initializers = initializers;
    }

    public static OnnxTensorSource open(Path onnxFile) {
        if (Files.isDirectory(onnxFile)) {
            throw HeadwiseException.inFile(onnxFile, "is a folder, not an ONNX file");
        }
        ByteBuffer bytes;
        try (FileChannel channel = FileChannel.open(onnxFile, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_FILE_BYTES) {
                throw HeadwiseException.inFile(onnxFile, "ONNX file of " + size + " bytes: files over 2 GiB are not supported"
                        + " (models that large keep their weights as external data, which is not supported either)");
            }
            // the mapping stays valid after the channel is closed
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(onnxFile, "file not found");
        } catch (IOException e) {
            throw HeadwiseException.inFile(onnxFile, "cannot read: " + e.getMessage());
        }
        return parse(onnxFile, bytes);
    }

    /** Parses a whole ONNX ModelProto held in {@code bytes}; {@code file} is only used in messages. */
    static OnnxTensorSource parse(Path file, ByteBuffer bytes) {
        List<Initializer> inits = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        ProtoReader model = new ProtoReader(file, bytes);
        boolean sawGraph = false;
        while (model.next()) {
            if (model.field() == 7) {
                model.expect(ProtoReader.LEN, "ModelProto.graph");
                readGraph(model.message(), inits, nodes);
                sawGraph = true;
            } else {
                model.skip();
            }
        }
        if (!sawGraph) {
            throw HeadwiseException.inFile(file, "corrupt ONNX file: no graph (is this an ONNX model?)");
        }
        Map<String, Initializer> byName = new HashMap<>();
        for (Initializer t : inits) {
            if (t.name().isEmpty()) {
                continue;
            }
            if (byName.put(t.name(), t) != null) {
                throw HeadwiseException.inFile(file, "corrupt ONNX file: two initializers are named " + quote(t.name()));
            }
        }
        Map<String, Initializer> renamed = nameMatMulWeights(file, nodes, byName);
        Set<String> renamedSources = new LinkedHashSet<>();
        renamed.values().forEach(t -> renamedSources.add(t.name()));

        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Initializer t : inits) {
            if (t.name().isEmpty() || renamedSources.contains(t.name()) || !looksLikeHfName(t.name())
                    || NON_WEIGHT_TYPES.contains(t.dataType())) {
                continue;
            }
            int count = validate(file, t, t.name());
            entries.put(t.name(), new Entry(t, t.dims().clone(), count, false));
        }
        for (Map.Entry<String, Initializer> r : renamed.entrySet()) {
            String name = r.getKey();
            Initializer t = r.getValue();
            if (NON_WEIGHT_TYPES.contains(t.dataType())) {
                continue;
            }
            if (entries.containsKey(name)) {
                throw HeadwiseException.inFile(file, "corrupt ONNX file: initializer " + quote(name) + " and MatMul weight "
                        + quote(t.name()) + " would both be named " + quote(name));
            }
            int count = validate(file, t, name + " (" + t.name() + ")");
            entries.put(name, new Entry(t, new long[]{t.dims()[1], t.dims()[0]}, count, true));
        }
        return new OnnxTensorSource(file, Collections.unmodifiableMap(entries), byName);
    }

    private static void readGraph(ProtoReader graph, List<Initializer> inits, List<Node> nodes) {
        while (graph.next()) {
            switch (graph.field()) {
                case 1 -> {
                    graph.expect(ProtoReader.LEN, "GraphProto.node");
                    Node node = readNode(graph.message());
                    if (node != null) {
                        if (nodes.size() >= MAX_LINK_NODES) {
                            throw graph.corrupt("more than " + MAX_LINK_NODES + " MatMul/Add nodes");
                        }
                        nodes.add(node);
                    }
                }
                case 5 -> {
                    graph.expect(ProtoReader.LEN, "GraphProto.initializer");
                    if (inits.size() >= MAX_INITIALIZERS) {
                        throw graph.corrupt("more than " + MAX_INITIALIZERS + " initializers");
                    }
                    inits.add(readTensor(graph.message()));
                }
                default -> graph.skip();
            }
        }
    }

    /** The node if it is a MatMul or Add of the default domain with two inputs and one output, else null. */
    private static Node readNode(ProtoReader r) {
        String[] inputs = new String[2];
        int inputCount = 0;
        String output = null;
        int outputCount = 0;
        String opType = "";
        String domain = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.expect(ProtoReader.LEN, "NodeProto.input");
                    if (inputCount < 2) {
                        inputs[inputCount] = r.string();
                    } else {
                        r.skip();
                    }
                    inputCount++;
                }
                case 2 -> {
                    r.expect(ProtoReader.LEN, "NodeProto.output");
                    if (outputCount == 0) {
                        output = r.string();
                    } else {
                        r.skip();
                    }
                    outputCount++;
                }
                case 4 -> {
                    r.expect(ProtoReader.LEN, "NodeProto.op_type");
                    opType = r.string();
                }
                case 7 -> {
                    r.expect(ProtoReader.LEN, "NodeProto.domain");
                    domain = r.string();
                }
                default -> r.skip();
            }
        }
        boolean linking = opType.equals("MatMul") || opType.equals("Add");
        boolean defaultDomain = domain.isEmpty() || domain.equals("ai.onnx");
        if (!linking || !defaultDomain || inputCount != 2 || outputCount != 1 || output.isEmpty()) {
            return null;
        }
        return new Node(opType, inputs[0], inputs[1], output);
    }

    private static Initializer readTensor(ProtoReader r) {
        ProtoReader body = r.rewound();
        String name = "";
        long[] dims = new long[4];
        int dimCount = 0;
        int dataType = 0;
        int dataLocation = 0;
        boolean external = false;
        boolean segmented = false;
        ByteBuffer raw = null;
        long floatCount = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    if (r.wireType() == ProtoReader.VARINT) {
                        dims = addDim(r, dims, dimCount++, r.varint());
                    } else {
                        r.expect(ProtoReader.LEN, "TensorProto.dims");
                        ProtoReader packed = r.message();
                        while (packed.hasRemaining()) {
                            dims = addDim(r, dims, dimCount++, packed.varint());
                        }
                    }
                }
                case 2 -> {
                    r.expect(ProtoReader.VARINT, "TensorProto.data_type");
                    dataType = r.int32("TensorProto.data_type");
                }
                case 3 -> {
                    r.expect(ProtoReader.LEN, "TensorProto.segment");
                    r.skip();
                    segmented = true;
                }
                case 4 -> {
                    if (r.wireType() == ProtoReader.FIXED32) {
                        r.fixed32();
                        floatCount++;
                    } else {
                        r.expect(ProtoReader.LEN, "TensorProto.float_data");
                        ByteBuffer packed = r.bytes();
                        if (packed.remaining() % 4 != 0) {
                            throw r.corrupt("packed float_data of " + packed.remaining() + " bytes, not a multiple of 4");
                        }
                        floatCount += packed.remaining() / 4;
                    }
                }
                case 8 -> {
                    r.expect(ProtoReader.LEN, "TensorProto.name");
                    name = r.string();
                }
                case 9 -> {
                    r.expect(ProtoReader.LEN, "TensorProto.raw_data");
                    raw = r.bytes();
                }
                case 13 -> {
                    r.expect(ProtoReader.LEN, "TensorProto.external_data");
                    r.skip();
                    external = true;
                }
                case 14 -> {
                    r.expect(ProtoReader.VARINT, "TensorProto.data_location");
                    dataLocation = r.int32("TensorProto.data_location");
                }
                default -> r.skip();
            }
        }
        return new Initializer(name, Arrays.copyOf(dims, dimCount), dataType, dataLocation, external, segmented, raw,
                floatCount, body);
    }

    private static long[] addDim(ProtoReader r, long[] dims, int index, long value) {
        if (index >= MAX_DIMS) {
            throw r.corrupt("tensor with more than " + MAX_DIMS + " dims");
        }
        long[] out = index < dims.length ? dims : Arrays.copyOf(dims, Math.min(MAX_DIMS, dims.length * 2));
        out[index] = value;
        return out;
    }

    /**
     * HF name → MatMul weight initializer, for each MatMul whose second input is a 2-D initializer and whose
     * output feeds an Add whose other input is an initializer named {@code ….bias}.
     */
    private static Map<String, Initializer> nameMatMulWeights(Path file, List<Node> nodes, Map<String, Initializer> byName) {
        Map<String, List<Node>> addsByInput = new HashMap<>();
        for (Node n : nodes) {
            if (n.opType().equals("Add")) {
                addsByInput.computeIfAbsent(n.in0(), k -> new ArrayList<>(1)).add(n);
                if (!n.in1().equals(n.in0())) {
                    addsByInput.computeIfAbsent(n.in1(), k -> new ArrayList<>(1)).add(n);
                }
            }
        }
        Map<String, Initializer> renamed = new LinkedHashMap<>();
        for (Node matmul : nodes) {
            if (!matmul.opType().equals("MatMul")) {
                continue;
            }
            Initializer weight = byName.get(matmul.in1());
            if (weight == null || weight.dims().length != 2) {
                continue;
            }
            String bias = null;
            for (Node add : addsByInput.getOrDefault(matmul.out(), List.of())) {
                String other = add.in0().equals(matmul.out()) ? add.in1() : add.in0();
                if (other.length() > ".bias".length() && other.endsWith(".bias") && byName.containsKey(other)) {
                    if (bias != null && !bias.equals(other)) {
                        throw HeadwiseException.inFile(file, "cannot name MatMul weight " + quote(weight.name())
                                + ": its output is added to two biases, " + quote(bias) + " and " + quote(other));
                    }
                    bias = other;
                }
            }
            if (bias == null) {
                continue;
            }
            long[] biasDims = byName.get(bias).dims();
            if (biasDims.length != 1 || biasDims[0] != weight.dims()[1]) {
                throw HeadwiseException.inFile(file, "bias " + quote(bias) + " has shape " + Arrays.toString(biasDims)
                        + " but the MatMul weight " + quote(weight.name()) + " it follows has shape [in, out] = "
                        + Arrays.toString(weight.dims()));
            }
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            Initializer previous = renamed.putIfAbsent(name, weight);
            if (previous != null && previous != weight) {
                throw HeadwiseException.inFile(file, "MatMul weights " + quote(previous.name()) + " and " + quote(weight.name())
                        + " would both be named " + quote(name));
            }
        }
        return renamed;
    }

    /** Exporter-generated names ({@code onnx::MatMul_787}, {@code /encoder/Constant_output_0}) are not HF names. */
    private static boolean looksLikeHfName(String name) {
        return !name.contains("::") && !name.startsWith("/");
    }

    /** Checks an exposed tensor's type, storage and data size; returns its element count. */
    private static int validate(Path file, Initializer t, String shown) {
        String where = "tensor " + quote(shown);
        if (t.dataType() != FLOAT) {
            throw HeadwiseException.inFile(file, where + " has data type " + typeName(t.dataType())
                    + "; only FLOAT (float32) ONNX weights are supported");
        }
        if (t.external() || t.dataLocation() == 1) {
            throw HeadwiseException.inFile(file, where + " keeps its data in an external file (ONNX external data),"
                    + " which is not supported: export the model with its weights inside the .onnx file");
        }
        if (t.dataLocation() != 0) {
            throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has unknown data_location " + t.dataLocation());
        }
        if (t.segmented()) {
            throw HeadwiseException.inFile(file, where + " is split into segments, which is not supported");
        }
        long elements = 1;
        try {
            for (long d : t.dims()) {
                if (d < 0) {
                    throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has a negative dimension in "
                            + Arrays.toString(t.dims()));
                }
                elements = Math.multiplyExact(elements, d);
            }
            if (t.raw() != null) {
                if (t.floatCount() > 0) {
                    throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has both raw_data and float_data");
                }
                long expectedBytes = Math.multiplyExact(elements, 4L);
                if (t.raw().remaining() != expectedBytes) {
                    throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has shape " + Arrays.toString(t.dims())
                            + " (" + expectedBytes + " bytes of FLOAT) but " + t.raw().remaining() + " bytes of raw_data");
                }
            } else if (t.floatCount() != elements) {
                throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has shape " + Arrays.toString(t.dims())
                        + " (" + elements + " values) but " + t.floatCount() + " values in float_data");
            }
        } catch (ArithmeticException overflow) {
            throw HeadwiseException.inFile(file, "corrupt ONNX file: " + where + " has an impossibly large shape");
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw HeadwiseException.inFile(file, where + " has " + elements + " elements, more than one tensor can hold here");
        }
        return (int) elements;
    }

    private static String typeName(int dataType) {
        return dataType >= 0 && dataType < TYPE_NAMES.length ? TYPE_NAMES[dataType] : "number " + dataType;
    }

    /** A name for a message: quoted, control characters escaped, cut short if very long. */
    static String quote(String name) {
        return HeadwiseException.quote(name);
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.shape().clone();
    }

    @Override
    public float[] floats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw HeadwiseException.inFile(file, "no tensor named " + quote(name));
        }
        float[] stored = decode(e.tensor(), e.count());
        if (!e.transposed()) {
            return stored;
        }
        int rows = (int) e.tensor().dims()[0]; // in
        int cols = (int) e.tensor().dims()[1]; // out
        float[] out = new float[stored.length];
        for (int i = 0; i < rows; i++) {
            int from = i * cols;
            for (int o = 0; o < cols; o++) {
                out[o * rows + i] = stored[from + o];
            }
        }
        return out;
    }

    /** The HF-named tensor's ONNX initializer name (differs for renamed MatMul weights), or null. */
    String onnxName(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.tensor().name();
    }

    /** A float initializer by its ONNX name, as stored (MatMul weights [in, out], not transposed). */
    float[] storedFloats(String onnxName) {
        Initializer t = initializers.get(onnxName);
        if (t == null) {
            throw HeadwiseException.inFile(file, "no initializer named " + quote(onnxName));
        }
        return decode(t, validate(file, t, onnxName));
    }

    private float[] decode(Initializer t, int count) {
        if (t.raw() != null) {
            return DType.F32.toFloats(t.raw().duplicate(), count);
        }
        float[] out = new float[count];
        int filled = 0;
        ProtoReader r = t.body().rewound();
        while (r.next()) {
            if (r.field() != 4) {
                r.skip();
            } else if (r.wireType() == ProtoReader.FIXED32) {
                int bits = r.fixed32();
                if (filled >= count) {
                    throw r.corrupt("tensor " + quote(t.name()) + " has more float_data than its shape");
                }
                out[filled++] = Float.intBitsToFloat(bits);
            } else {
                ByteBuffer packed = r.bytes();
                int n = packed.remaining() / 4;
                if (n > count - filled) {
                    throw r.corrupt("tensor " + quote(t.name()) + " has more float_data than its shape");
                }
                packed.asFloatBuffer().get(out, filled, n);
                filled += n;
            }
        }
        if (filled != count) {
            throw HeadwiseException.inFile(file, "corrupt ONNX file: tensor " + quote(t.name()) + " has " + filled
                    + " values in float_data, expected " + count);
        }
        return out;
    }

    @Override
    public Path fileOf(String name) {
        return file;
    }

    @Override
    public Path location() {
        return file;
    }
}
