package headwise.app.cli;

import headwise.engine.HeadwiseException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code generate}: greedy decoding. Being written. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Greedy decoding with a KV cache.")
final class GenerateCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new HeadwiseException("generate is not supported yet");
    }
}
