package headwise.engine.family;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;

import java.nio.file.Path;

/** Being written. */
public final class VitMapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        throw HeadwiseException.inFile(configFile, "this family is not supported yet");
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors tensors) {
        throw new UnsupportedOperationException();
    }
}
