package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.Zoo;

class ModelRegistryTest {

    private static ModelEntry entry(String name) {
        ModelEntry resnet = Zoo.registry().get("resnet18");
        return new ModelEntry(name, resnet.family(), resnet.architecture(), resnet.reference(), resnet.defaultInput(),
                resnet.preset(), resnet.description());
    }

    @Test
    void duplicateNamesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelRegistry(List.of(entry("net"), entry("net"))));
        assertTrue(e.getMessage().contains("'net' registered twice"), e.getMessage());
    }

    @Test
    void upperCaseNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ModelRegistry(List.of(entry("ResNet"))));
    }

    @Test
    void lookupIgnoresCaseAndSurroundingSpace() {
        assertEquals("resnet50", Zoo.registry().get(" ResNet50 ").name());
    }

    @Test
    void unknownNameSuggestsCloseMatches() {
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> Zoo.registry().get("resnet5"));
        assertEquals("resnet50", e.suggestions().get(0));
        assertTrue(e.getMessage().startsWith("unknown model 'resnet5'; did you mean resnet50"), e.getMessage());
        assertTrue(assertThrows(UnknownModelException.class, () -> Zoo.registry().get("vgg61")).suggestions().contains("vgg16"));
    }

    @Test
    void aNameFarFromEverythingGetsNoSuggestion() {
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> Zoo.registry().get("transformer-xl-huge"));
        assertTrue(e.suggestions().isEmpty());
        assertTrue(e.getMessage().contains("repzoo list"));
    }

    @Test
    void editDistanceIsLevenshtein() {
        assertEquals(3, ModelRegistry.editDistance("kitten", "sitting"));
        assertEquals(0, ModelRegistry.editDistance("", ""));
        assertEquals(5, ModelRegistry.editDistance("", "vgg16"));
    }

    @Test
    void everyArchitectureOfTheFoundationIsRegistered() {
        List<String> expected = List.of("vgg11", "vgg11_lrn", "vgg13", "vgg16_c", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn",
                "vgg16_bn", "vgg19_bn", "nin", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
                "wide_resnet50_2");
        expected.forEach(name -> assertTrue(Zoo.registry().contains(name), name));
    }
}
