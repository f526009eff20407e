/**
 * Throughput benchmarks of whole models ({@code repzoo bench}): timed inference or training steps at a fixed batch,
 * with the memory they needed, the machine's measured fp32 peak, and the thread settings they ran under.
 */
package org.repzoo.bench;
