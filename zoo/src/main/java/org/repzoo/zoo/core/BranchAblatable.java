package org.repzoo.zoo.core;

/**
 * An architecture trained with parallel branches that an ablation may leave out, as RepVGG's train form (its 1x1 and
 * identity branches). The branch sets are named in lower case ({@code all}, {@code dense}...).
 */
public interface BranchAblatable {

    /** False where there is nothing to leave out (RepVGG's deploy form). */
    boolean hasBranches();

    /**
     * @param branchSet the name of the branches to keep
     * @throws SettingException ({@code branches}) for a name the architecture does not know
     */
    Architecture withBranches(String branchSet);
}
