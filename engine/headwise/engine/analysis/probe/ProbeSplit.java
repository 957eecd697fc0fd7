package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which examples train the probes and which test them (indices into the example list, ascending). From the file's
 * split column when it has one; otherwise a seeded stratified split: per class (in label order), that class's
 * examples in file order are shuffled by {@code Collections.shuffle(list, new Random(seed))} with one Random for all
 * classes, and the first round(0.6·n) train. Every class needs {@link #MIN_PER_CLASS} examples in each split.
 *
 * @param seed null when the file gave the split
 */
public record ProbeSplit(int[] train, int[] test, Long seed) {

    public static final double TRAIN_FRACTION = 0.6;
    public static final int MIN_PER_CLASS = 10;

    static ProbeSplit of(Path file, List<ProbeExample> examples, ProbeLabels labels, long seed) {
        boolean given = examples.get(0).split() != null;
        ProbeSplit split = given ? fromFile(examples) : stratified(examples, labels, seed);
        split.check(file, labels);
        return split;
    }

    private static ProbeSplit fromFile(List<ProbeExample> examples) {
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (examples.get(i).split() == ProbeExample.Split.TRAIN ? train : test).add(i);
        }
        return new ProbeSplit(ints(train), ints(test), null);
    }

    private static ProbeSplit stratified(List<ProbeExample> examples, ProbeLabels labels, long seed) {
        Random random = new Random(seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int k = 0; k < labels.count(); k++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                if (labels.classOf()[i] == k) {
                    members.add(i);
                }
            }
            Collections.shuffle(members, random);
            int trainCount = (int) Math.round(TRAIN_FRACTION * members.size());
            train.addAll(members.subList(0, trainCount));
            test.addAll(members.subList(trainCount, members.size()));
        }
        Collections.sort(train);
        Collections.sort(test);
        return new ProbeSplit(ints(train), ints(test), seed);
    }

    /** Every class has at least MIN_PER_CLASS examples in each split. */
    private void check(Path file, ProbeLabels labels) {
        checkSplit(file, labels, "training", labels.counts(train));
        checkSplit(file, labels, "test", labels.counts(test));
    }

    private static void checkSplit(Path file, ProbeLabels labels, String name, int[] counts) {
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < MIN_PER_CLASS) {
                throw HeadwiseException.inFile(file, "label '" + labels.label(k) + "' has " + counts[k] + " example"
                        + (counts[k] == 1 ? "" : "s") + " in the " + name + " split; a probe needs at least " + MIN_PER_CLASS
                        + " per label in each split");
            }
        }
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
