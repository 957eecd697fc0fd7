package headwise.engine.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One .safetensors file. The header is validated in full before any tensor is trusted; tensor data is
 * memory-mapped per tensor (a single mapping is limited to 2 GiB), decoded to F32 on request.
 */
public final class SafetensorsFile implements TensorSource {

    /** Headers are small; anything bigger is a corrupt or hostile file. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** Where a tensor lives: absolute byte range in the file. */
    record Entry(String name, DType dtype, long[] shape, long start, long end) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    public static SafetensorsFile open(Path file) {
        return ReadChannels.openAndParse(file, channel -> new SafetensorsFile(file, channel, readHeader(file, channel)));
    }

    private static Map<String, Entry> readHeader(Path file, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw HeadwiseException.inFile(file, "not a safetensors file (" + fileSize + " bytes, too short for a header)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > fileSize - 8 || headerLength > MAX_HEADER_BYTES) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: header length " + Long.toUnsignedString(headerLength)
                        + " does not fit in a file of " + fileSize + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String json = new String(headerBytes.array(), StandardCharsets.UTF_8);
            return parseHeader(file, json, fileSize - 8 - headerLength, 8 + headerLength);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** Parses and validates the JSON header; {@code dataStart} is the absolute offset of the data section. */
    static Map<String, Entry> parseHeader(Path file, String json, long dataLength, long dataStart) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError e) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: not valid JSON");
        }
        if (!root.isJsonObject()) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            entries.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataLength, dataStart));
        }
        checkNoOverlaps(file, entries);
        return Collections.unmodifiableMap(entries);
    }

    private static Entry parseEntry(Path file, String name, JsonElement value, long dataLength, long dataStart) {
        String where = "tensor " + HeadwiseException.quote(name);
        if (!value.isJsonObject()) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " is not an object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeJson = o.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive()) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has no dtype");
        }
        String dtypeName = dtypeJson.getAsString();
        DType dtype = DType.fromSafetensors(dtypeName);
        if (dtype == null) {
            String shown = dtypeName.matches("[A-Za-z0-9_]{1,16}") ? dtypeName : HeadwiseException.quote(dtypeName); // I8, F64, ...
            throw HeadwiseException.inFile(file, where + " has dtype " + shown + "; supported: F32, F16, BF16");
        }
        long[] shape = longArray(file, where, "shape", o.get("shape"), -1);
        long[] offsets = longArray(file, where, "data_offsets", o.get("data_offsets"), 2);
        long elements = 1;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            long expectedBytes = Math.multiplyExact(elements, (long) dtype.bytes);
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end || end > dataLength) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has data_offsets [" + begin + ", " + end
                        + "] outside the " + dataLength + " data bytes (truncated file?)");
            }
            if (end - begin != expectedBytes) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has shape " + java.util.Arrays.toString(shape)
                        + " (" + expectedBytes + " bytes of " + dtype + ") but " + (end - begin) + " data bytes");
            }
            if (elements > Integer.MAX_VALUE - 8) {
                throw HeadwiseException.inFile(file, where + " has " + elements + " elements, more than one tensor can hold here");
            }
            return new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
        } catch (ArithmeticException overflow) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has an impossibly large shape");
        }
    }

    private static long[] longArray(Path file, String where, String key, JsonElement json, int expectedLength) {
        if (json == null || !json.isJsonArray()) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has no " + key);
        }
        JsonArray array = json.getAsJsonArray();
        if (expectedLength >= 0 && array.size() != expectedLength || array.size() > 8) {
            throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has a malformed " + key);
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            long v;
            try {
                v = e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            } catch (RuntimeException notAnInteger) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has a non-integer in " + key);
            }
            if (v < 0) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: " + where + " has a negative value in " + key);
            }
            out[i] = v;
        }
        return out;
    }

    private static void checkNoOverlaps(Path file, Map<String, Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry previous = sorted.get(i - 1);
            Entry current = sorted.get(i);
            if (current.start() < previous.end()) {
                throw HeadwiseException.inFile(file, "corrupt safetensors header: tensors " + HeadwiseException.quote(previous.name()) + " and "
                        + HeadwiseException.quote(current.name()) + " overlap");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
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

    public DType dtype(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.dtype();
    }

    @Override
    public float[] floats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw HeadwiseException.inFile(file, "no tensor named " + HeadwiseException.quote(name));
        }
        try {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, e.start(), e.end() - e.start());
            return e.dtype().toFloats(mapped, (int) ((e.end() - e.start()) / e.dtype().bytes));
        } catch (IOException ex) {
            throw HeadwiseException.inFile(file, "cannot read tensor " + HeadwiseException.quote(name) + ": " + ex.getMessage());
        }
    }

    @Override
    public Path fileOf(String name) {
        return file;
    }

    @Override
    public Path location() {
        return file;
    }

    @Override
    public void close() {
        ReadChannels.closeQuietly(channel);
    }


    /** True when the file exists and is a regular file (used to pick the loader). */
    public static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }
}
