/**
 * Training recipes as data: one {@link org.repzoo.training.recipe.Recipe} record per paper, registered by family in
 * {@link org.repzoo.training.recipe.Recipes}, overridable from a JSON file ({@link org.repzoo.training.recipe.RecipeFiles}),
 * and applied to a built graph by {@link org.repzoo.training.recipe.RecipeApplier}, which sets the updater, learning
 * rate schedule, weight decay per parameter, gradient clipping and losses on a copy of the graph.
 */
package org.repzoo.training.recipe;
