package headwise.engine.corpus;

import headwise.engine.model.ForwardOptions;

import java.io.Serializable;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * {@link ForwardOptions} as they travel to Spark executors: the record's component values (numbers, flags, enum
 * constants), rebuilt there through its canonical constructor, so the executors' forward runs with the driver's
 * options (attention storage, query block, …) and an option added to the record later travels too.
 */
public final class ExecutorOptions implements Serializable {

    private final Object[] values;

    private ExecutorOptions(Object[] values) {
        this.values = values;
    }

    public static ExecutorOptions of(ForwardOptions options) {
        RecordComponent[] components = ForwardOptions.class.getRecordComponents();
        Object[] values = new Object[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].getAccessor().invoke(options);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ForwardOptions' accessors are public", e);
        }
        return new ExecutorOptions(values);
    }

    public ForwardOptions options() {
        Class<?>[] types = Arrays.stream(ForwardOptions.class.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return ForwardOptions.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the executors run another Headwise version than the driver", e);
        }
    }

    /** The values in component order, for the run's key ("128,67108864,true,AUTO"). */
    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
