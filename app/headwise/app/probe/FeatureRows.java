package headwise.app.probe;

import java.io.Serializable;

/**
 * One partition's features, sent from the executor to the driver: {@code examples[k]} is the index (in the data
 * file's order) of row k of every array. Shapes as in ProbeFeatures, with the partition's examples as n.
 *
 * @param z      null without the head map (or when the site is hook_z itself: then the layers are the heads)
 * @param tokens null without attentive probes
 */
record FeatureRows(int[] examples, float[][] embedding, float[][][] layers, float[][][] z, float[][][] tokens)
        implements Serializable {
}
