/** Shim that lets DL4J 1.0.0-M2.1 find oneDNN (see {@link org.nd4j.nativeblas.Nd4jCpu}); not RepZoo API. */
package org.nd4j.nativeblas;
