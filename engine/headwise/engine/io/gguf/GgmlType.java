package headwise.engine.io.gguf;

import java.util.HashMap;
import java.util.Map;

/**
 * ggml's tensor types with their block geometry (elements per block, bytes per block), as numbered in ggml.h.
 * Every type a file may name is listed, so that tensor sizes can be validated even for types Headwise cannot decode;
 * {@link #decoder} is null for those.
 */
public enum GgmlType {
    F32(0, 1, 4, PlainFloats::f32),
    F16(1, 1, 2, PlainFloats::f16),
    Q4_0(2, 32, 18, LegacyQuants::q4_0),
    Q4_1(3, 32, 20, LegacyQuants::q4_1),
    Q5_0(6, 32, 22, LegacyQuants::q5_0),
    Q5_1(7, 32, 24, LegacyQuants::q5_1),
    Q8_0(8, 32, 34, LegacyQuants::q8_0),
    Q8_1(9, 32, 36, null),
    Q2_K(10, 256, 84, null),
    Q3_K(11, 256, 110, null),
    Q4_K(12, 256, 144, KQuants::q4_k),
    Q5_K(13, 256, 176, KQuants::q5_k),
    Q6_K(14, 256, 210, KQuants::q6_k),
    Q8_K(15, 256, 292, null),
    IQ2_XXS(16, 256, 66, null),
    IQ2_XS(17, 256, 74, null),
    IQ3_XXS(18, 256, 98, null),
    IQ1_S(19, 256, 50, null),
    IQ4_NL(20, 32, 18, null),
    IQ3_S(21, 256, 110, null),
    IQ2_S(22, 256, 82, null),
    IQ4_XS(23, 256, 136, null),
    I8(24, 1, 1, null),
    I16(25, 1, 2, null),
    I32(26, 1, 4, null),
    I64(27, 1, 8, null),
    F64(28, 1, 8, null),
    IQ1_M(29, 256, 56, null),
    BF16(30, 1, 2, PlainFloats::bf16),
    TQ1_0(34, 256, 54, null),
    TQ2_0(35, 256, 66, null),
    MXFP4(39, 32, 17, null);

    private static final Map<Integer, GgmlType> BY_ID = new HashMap<>();

    static {
        for (GgmlType t : values()) {
            BY_ID.put(t.id, t);
        }
    }

    public final int id;
    public final int blockSize;
    public final int blockBytes;
    final BlockDecoder decoder;

    GgmlType(int id, int blockSize, int blockBytes, BlockDecoder decoder) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.decoder = decoder;
    }

    /** The type numbered {@code id}, or null when ggml has none by that number (or it was removed). */
    public static GgmlType byId(long id) {
        return id < 0 || id > Integer.MAX_VALUE ? null : BY_ID.get((int) id);
    }

    public boolean decodable() {
        return decoder != null;
    }

    /** The types Headwise decodes, for messages. */
    public static String decodableNames() {
        StringBuilder out = new StringBuilder();
        for (GgmlType t : values()) {
            if (t.decodable()) {
                out.append(out.isEmpty() ? "" : ", ").append(t.name());
            }
        }
        return out.toString();
    }
}
