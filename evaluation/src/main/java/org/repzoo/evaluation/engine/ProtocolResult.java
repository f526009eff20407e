package org.repzoo.evaluation.engine;

import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.protocol.Protocol;

/**
 * One protocol's outcome.
 *
 * @param protocol the protocol
 * @param accuracy top-1/top-5 counts, overall and per class
 * @param views    views evaluated for it (images x views per image, per model)
 */
public record ProtocolResult(Protocol protocol, Accuracy accuracy, long views) {
}
