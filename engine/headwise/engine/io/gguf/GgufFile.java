package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;
import headwise.engine.io.ReadChannels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp, versions 2 and 3): magic "GGUF", u32 version, u64 tensor count, u64 metadata count, the
 * metadata, the tensor infos, then the tensor data from the next multiple of {@code general.alignment} (default 32).
 * Everything in the header is validated before any tensor is trusted; tensor data is memory-mapped one tensor at a
 * time (a mapping holds at most 2 GiB) and decoded to F32 on request.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** A tensor is mapped in windows of at most this many bytes (one mapping holds at most 2 GiB). */
    static final long MAX_WINDOW_BYTES = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;

    private GgufFile(Path file, FileChannel channel, int version, GgufMetadata metadata, Map<String, GgufTensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public static GgufFile open(Path file) {
        return ReadChannels.openAndParse(file, channel -> read(file, channel));
    }

    /** True when the file starts with GGUF's magic (used to pick the loader). */
    public static boolean hasMagic(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // read until 4 bytes or the end
            }
            return head.position() == 4 && head.getInt(0) == MAGIC;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static GgufFile read(Path file, FileChannel channel) {
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        GgufCursor in = new GgufCursor(file, channel, size);
        if (size < 4 || in.i32("magic") != MAGIC) {
            throw HeadwiseException.inFile(file, "not a GGUF file (it does not start with \"GGUF\")");
        }
        long version = in.u32("version");
        if (version == 1) {
            throw HeadwiseException.inFile(file, "GGUF version 1 (llama.cpp before August 2023) is not supported; convert the model again");
        }
        if (version != 2 && version != 3) {
            String endian = Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3 ? " (a big-endian file?)" : "";
            throw HeadwiseException.inFile(file, "unsupported GGUF version " + version + endian + "; supported: 2, 3");
        }
        long tensorCount = in.u64("tensor count");
        long metadataCount = in.u64("metadata count");
        // a metadata pair takes ≥ 8 + 4 + 1 bytes, a tensor info ≥ 8 + 4 + 8 + 4 + 8
        if (metadataCount > in.remaining() / 13 || tensorCount > in.remaining() / 32) {
            throw in.error("the header claims " + tensorCount + " tensors and " + metadataCount
                    + " metadata pairs, more than the file's " + size + " bytes can hold (truncated?)");
        }
        GgufMetadata metadata = GgufMetadataReader.read(file, in, metadataCount);
        long alignment = alignment(in, metadata);
        List<long[]> dims = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<GgmlType> types = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = in.string("name of tensor " + i);
            names.add(name);
            String what = "tensor " + HeadwiseException.quote(name);
            long nDims = in.u32("dimension count of " + what);
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw in.error(what + " has " + nDims + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] ne = new long[(int) nDims];
            for (int d = 0; d < ne.length; d++) {
                ne[d] = in.u64("dimension " + d + " of " + what);
            }
            dims.add(ne);
            long typeId = in.u32("type of " + what);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw in.error(what + " has unknown ggml type " + typeId);
            }
            types.add(type);
            offsets.add(in.u64("offset of " + what));
        }
        long dataStart = alignUp(in.position(), alignment);
        if (tensorCount > 0) {
            in.skipTo(dataStart, "tensor data");
        }
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            GgufTensorInfo info = tensorInfo(in, names.get(i), dims.get(i), types.get(i), offsets.get(i), alignment, dataStart, size);
            if (tensors.put(info.name(), info) != null) {
                throw in.error("tensor " + HeadwiseException.quote(info.name()) + " appears twice");
            }
        }
        checkNoOverlaps(in, tensors);
        return new GgufFile(file, channel, (int) version, metadata, Collections.unmodifiableMap(tensors));
    }

    private static long alignment(GgufCursor in, GgufMetadata metadata) {
        Object value = metadata.get("general.alignment");
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof Long a) || a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw in.error("general.alignment " + value + " is not a power of two");
        }
        return a;
    }

    /** Checks the tensor's size from its dims and type, and that its data lies inside the file. */
    private static GgufTensorInfo tensorInfo(GgufCursor in, String name, long[] ne, GgmlType type, long offset,
                                             long alignment, long dataStart, long fileSize) {
        String what = "tensor " + HeadwiseException.quote(name);
        if (ne[0] % type.blockSize != 0) {
            throw in.error(what + " of type " + type + " has " + ne[0] + " elements per row, not a multiple of its block of " + type.blockSize);
        }
        long bytes;
        long elements;
        try {
            elements = 1;
            for (long d : ne) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(ne[0] / type.blockSize, (long) type.blockBytes);
            for (int d = 1; d < ne.length; d++) {
                bytes = Math.multiplyExact(bytes, ne[d]);
            }
        } catch (ArithmeticException overflow) {
            throw in.error(what + " has impossibly large dimensions " + java.util.Arrays.toString(ne));
        }
        if (offset % alignment != 0) {
            throw in.error(what + " starts at data offset " + offset + ", not a multiple of the alignment " + alignment);
        }
        long available = fileSize - dataStart;
        if (offset > available || bytes > available - offset) {
            throw in.error(what + " (" + bytes + " bytes of " + type + " at data offset " + offset + ") runs past the end of the file ("
                    + fileSize + " bytes; truncated?)");
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw in.problem(what + " has " + elements + " elements, more than one tensor can hold here");
        }
        return new GgufTensorInfo(name, ne, type, dataStart + offset, bytes);
    }

    private static void checkNoOverlaps(GgufCursor in, Map<String, GgufTensorInfo> tensors) {
        List<GgufTensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(GgufTensorInfo::start));
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensorInfo previous = sorted.get(i - 1);
            if (sorted.get(i).start() < previous.start() + previous.bytes()) {
                throw in.error("tensors " + HeadwiseException.quote(previous.name()) + " and "
                        + HeadwiseException.quote(sorted.get(i).name()) + " overlap");
            }
        }
    }

    static long alignUp(long position, long alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor decoded to F32, ne[0] fastest (i.e. row-major in {@link GgufTensorInfo#rowMajorShape}). */
    public float[] floats(GgufTensorInfo tensor) {
        return floats(tensor, MAX_WINDOW_BYTES);
    }

    /** {@link #floats(GgufTensorInfo)} mapping at most {@code windowBytes} (at least one block) at a time. */
    float[] floats(GgufTensorInfo tensor, long windowBytes) {
        if (!tensor.type().decodable()) {
            throw HeadwiseException.inFile(file, "tensor " + HeadwiseException.quote(tensor.name()) + " has type " + tensor.type()
                    + ", which Headwise cannot decode (supported: " + GgmlType.decodableNames() + ")");
        }
        GgmlType type = tensor.type();
        float[] out = new float[(int) tensor.elements()];
        long blocks = tensor.elements() / type.blockSize;
        long blocksPerWindow = Math.max(1, windowBytes / type.blockBytes);
        try {
            for (long first = 0; first < blocks; first += blocksPerWindow) {
                int count = (int) Math.min(blocksPerWindow, blocks - first);
                ByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, tensor.start() + first * type.blockBytes,
                        (long) count * type.blockBytes).order(ByteOrder.LITTLE_ENDIAN);
                type.decoder.decode(window, out, (int) (first * type.blockSize), count);
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read tensor " + HeadwiseException.quote(tensor.name()) + ": " + e.getMessage());
        }
        return out;
    }

    @Override
    public void close() {
        ReadChannels.closeQuietly(channel);
    }

}
