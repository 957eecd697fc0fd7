package headwise.engine.load;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;

/** llama2.c checkpoints (run.c format): a folder with the model .bin and its tokenizer .bin. Being written. */
public final class Llama2cLoader {

    private Llama2cLoader() {
    }

    /** True when {@code folder} holds a llama2.c model rather than a Hugging Face one. */
    public static boolean isLlama2cFolder(Path folder) {
        return false;
    }

    public static LoadedModel load(Path folder) {
        throw HeadwiseException.inFile(folder, "llama2.c checkpoints are not supported yet");
    }
}
