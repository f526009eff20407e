/** The {@code repzoo} command line: picocli commands over the zoo, reparam, training and evaluation modules. */
package org.repzoo.cli;
