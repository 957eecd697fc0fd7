package headwise.engine.family;

import com.google.gson.JsonObject;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;

import java.nio.file.Path;

/** One model family: reads its config.json into a {@link ModelSpec} and its tensor names onto canonical weights. */
public interface WeightMapper {

    /** @param configFile for error messages */
    ModelSpec spec(Path configFile, JsonObject config);

    ModelWeights weights(ModelSpec spec, CheckpointTensors tensors);
}
