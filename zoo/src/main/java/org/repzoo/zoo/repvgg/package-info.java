/** RepVGG (Ding et al. 2021) in its training (multi-branch) and deploy (plain 3x3) forms. */
package org.repzoo.zoo.repvgg;
