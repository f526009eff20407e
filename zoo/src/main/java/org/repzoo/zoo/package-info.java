/** RepZoo as a library: {@link org.repzoo.zoo.Zoo} gives the registry and loads saved models. */
package org.repzoo.zoo;
