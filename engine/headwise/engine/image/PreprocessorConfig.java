package headwise.engine.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The image preprocessing of a Hugging Face ViT / DeiT / CLIP / SigLIP image processor (preprocessor_config.json):
 * resize, center crop, rescale, normalise. Keys the file leaves out take that processor class's defaults.
 *
 * @param resize   target size, or null for no resizing
 * @param crop     center-crop size, or null for no cropping
 * @param rescale  factor applied to the 0..255 values (1/255), or 1 when do_rescale is false
 * @param mean     per channel, or null when do_normalize is false
 * @param std      per channel, or null when do_normalize is false
 */
public record PreprocessorConfig(Size resize, Resample resample, Size crop, double rescale, double[] mean, double[] std) {

    public static final String FILE_NAME = "preprocessor_config.json";

    /**
     * Largest resize or crop side accepted (ViT processors use 224 to 1024): the file decides how much memory the
     * resized image takes, so it is bounded before anything is allocated.
     */
    public static final int MAX_SIDE = 4096;

    private static final double[] HALF = {0.5, 0.5, 0.5};
    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};
    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073}; // OPENAI_CLIP_MEAN
    private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    /** Height × width, or (when {@code shortestEdge} > 0) the shorter side with the aspect ratio kept. */
    public record Size(int height, int width, int shortestEdge) {

        public static Size square(int side) {
            return new Size(side, side, 0);
        }

        /**
         * [height, width] for an image of the given size (Hugging Face's get_resize_output_image_size); refuses a
         * longer side above {@link #MAX_SIDE}, which only an extreme aspect ratio gives.
         */
        int[] target(int imageHeight, int imageWidth) {
            if (shortestEdge <= 0) {
                return new int[] {height, width};
            }
            boolean portrait = imageHeight >= imageWidth;
            long longer = (long) shortestEdge * (portrait ? imageHeight : imageWidth) / (portrait ? imageWidth : imageHeight);
            if (longer > MAX_SIDE) {
                throw new HeadwiseException("an image of " + imageWidth + "x" + imageHeight + " resized to a shortest edge of "
                        + shortestEdge + " would be " + longer + " pixels long, more than " + MAX_SIDE + " (crop it first)");
            }
            return portrait ? new int[] {(int) longer, shortestEdge} : new int[] {shortestEdge, (int) longer};
        }
    }

    /** The image processor classes whose defaults fill the keys a preprocessor_config.json leaves out. */
    public enum Processor {
        VIT(false, 224, Resample.BILINEAR, false, HALF, HALF),
        DEIT(false, 256, Resample.BICUBIC, true, IMAGENET_MEAN, IMAGENET_STD),
        CLIP(true, 224, Resample.BICUBIC, true, CLIP_MEAN, CLIP_STD),
        SIGLIP(false, 224, Resample.BICUBIC, false, HALF, HALF);

        private final boolean shortestEdge;
        private final int side;
        private final Resample resample;
        private final boolean crop;
        private final double[] mean;
        private final double[] std;

        Processor(boolean shortestEdge, int side, Resample resample, boolean crop, double[] mean, double[] std) {
            this.shortestEdge = shortestEdge;
            this.side = side;
            this.resample = resample;
            this.crop = crop;
            this.mean = mean;
            this.std = std;
        }

        /** The processor a model family uses when its file does not name one. */
        public static Processor ofFamily(String family) {
            return switch (family) {
                case "deit" -> DEIT;
                case "clip_vision_model" -> CLIP;
                case "siglip_vision_model" -> SIGLIP;
                default -> VIT;
            };
        }

        /** The processor image_processor_type names (LLaVA's own processor is CLIP's), or {@code fallback}. */
        static Processor ofType(String type, Processor fallback) {
            if (type.startsWith("DeiT")) {
                return DEIT;
            }
            if (type.startsWith("CLIP") || type.startsWith("Llava")) {
                return CLIP;
            }
            if (type.startsWith("Siglip")) {
                return SIGLIP;
            }
            // another named processor: ViTImageProcessor's defaults, as before CLIP and SigLIP towers came
            return type.isEmpty() || fallback == CLIP || fallback == SIGLIP ? fallback : VIT;
        }

        private Size size(int side) {
            return shortestEdge ? new Size(0, 0, side) : Size.square(side);
        }
    }

    /**
     * Reads {@code folder}/preprocessor_config.json; without one, resizes to the model's image_size with its family's
     * processor defaults (no crop, except CLIP's, which resizes the shortest edge and crops the centre).
     */
    public static PreprocessorConfig read(Path folder, ModelSpec spec) {
        Processor processor = Processor.ofFamily(spec.family());
        Path file = folder == null ? null : folder.resolve(FILE_NAME);
        if (file == null || !Files.exists(file)) {
            int side = spec.vision().imageSize();
            return new PreprocessorConfig(processor.size(side), processor.resample, processor.crop ? Size.square(side) : null,
                    1 / 255.0, processor.mean, processor.std);
        }
        return parse(file, Json.readObject(file), processor);
    }

    /** @param deitFamily the model is a DeiT: use DeiTImageProcessor's defaults unless the file names a processor */
    public static PreprocessorConfig parse(Path file, JsonObject o, boolean deitFamily) {
        return parse(file, o, deitFamily ? Processor.DEIT : Processor.VIT);
    }

    /** @param family the processor whose defaults apply unless the file names another */
    public static PreprocessorConfig parse(Path file, JsonObject o, Processor family) {
        String type = Json.optionalString(file, o, "image_processor_type", Json.optionalString(file, o, "feature_extractor_type", ""));
        Processor p = Processor.ofType(type, family);
        if (Json.optionalBoolean(file, o, "do_pad", false)) {
            throw HeadwiseException.inFile(file, "\"do_pad\": padding the image to a square is not supported");
        }
        Size resize = Json.optionalBoolean(file, o, "do_resize", true) ? size(file, o, "size", p.size(p.side)) : null;
        int resampleCode = Json.optionalInt(file, o, "resample", p.resample.pilCode());
        Resample resample = Resample.ofPilCode(resampleCode);
        if (resample == null) {
            throw HeadwiseException.inFile(file, "\"resample\" " + resampleCode + " is not a PIL filter (0 to 5)");
        }
        Size crop = Json.optionalBoolean(file, o, "do_center_crop", p.crop) ? size(file, o, "crop_size", Size.square(224)) : null;
        if (crop != null && crop.shortestEdge() > 0) {
            throw HeadwiseException.inFile(file, "\"crop_size\" must give height and width");
        }
        double rescale = Json.optionalBoolean(file, o, "do_rescale", true) ? Json.optionalDouble(file, o, "rescale_factor", 1 / 255.0) : 1.0;
        boolean normalize = Json.optionalBoolean(file, o, "do_normalize", true);
        double[] mean = normalize ? numbers(file, o, "image_mean", p.mean) : null;
        double[] std = normalize ? numbers(file, o, "image_std", p.std) : null;
        if (std != null) {
            for (double s : std) {
                if (s == 0.0) {
                    throw HeadwiseException.inFile(file, "\"image_std\" must not contain 0");
                }
            }
        }
        return new PreprocessorConfig(resize, resample, crop, rescale, mean, std);
    }

    /** 224, {"height": 224, "width": 224} or {"shortest_edge": 224}. */
    private static Size size(Path file, JsonObject o, String key, Size fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (e.isJsonPrimitive()) {
            return Size.square(side(file, o, key));
        }
        if (e.isJsonObject()) {
            JsonObject s = e.getAsJsonObject();
            if (s.has("height") && s.has("width")) {
                return new Size(side(file, s, "height"), side(file, s, "width"), 0);
            }
            if (s.has("shortest_edge")) {
                return new Size(0, 0, side(file, s, "shortest_edge"));
            }
        }
        throw HeadwiseException.inFile(file, "\"" + key + "\" must be a number, {\"height\", \"width\"} or {\"shortest_edge\"}");
    }

    private static int side(Path file, JsonObject o, String key) {
        int side = Json.positiveInt(file, o, key);
        if (side > MAX_SIDE) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" is " + side + " pixels, more than the " + MAX_SIDE + " this program resizes to");
        }
        return side;
    }

    /** A number (used for every channel) or a list of numbers. */
    private static double[] numbers(Path file, JsonObject o, String key, double[] fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        JsonArray array = e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
        if (!e.isJsonArray()) {
            array.add(e);
        }
        if (array.isEmpty()) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" must be a number or a list of numbers");
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement v = array.get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || !Double.isFinite(v.getAsDouble())) {
                throw HeadwiseException.inFile(file, "\"" + key + "\" must be a number or a list of numbers");
            }
            values[i] = v.getAsDouble();
        }
        return values;
    }
}
