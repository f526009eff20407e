package org.repzoo.deploy.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.repzoo.deploy.quantize.LinearQuantization.Parameters;
import org.repzoo.deploy.quantize.LinearQuantization.Type;

/** ONNX's linear quantization, worked by hand: scales, zero points, rounding, saturation, the per-channel axis. */
class LinearQuantizationTest {

    @Test
    void symmetricInt8PutsTheLargestMagnitudeOnLevel127() {
        Parameters p = LinearQuantization.symmetric(1.27);
        assertEquals(0.01f, p.scale(), 1e-9);
        assertEquals(0, p.zeroPoint());
        assertEquals(50, LinearQuantization.quantize(0.5f, p, Type.INT8));
        assertEquals(-127, LinearQuantization.quantize(-1.27f, p, Type.INT8));
        assertEquals(127, LinearQuantization.quantize(1.3f, p, Type.INT8), "130 saturates at 127");
        assertEquals(-128, LinearQuantization.quantize(-2f, p, Type.INT8), "-200 saturates at -128");
        assertEquals(0.5f, LinearQuantization.dequantize(50, p), 1e-7);
        assertEquals(1f, LinearQuantization.symmetric(0).scale(), "all zeros: scale 1, every value level 0");
    }

    @Test
    void roundingIsHalfToEvenAsOnnxSays() {
        Parameters unit = new Parameters(1f, 0);
        assertEquals(2, LinearQuantization.quantize(2.5f, unit, Type.INT8));
        assertEquals(4, LinearQuantization.quantize(3.5f, unit, Type.INT8));
        assertEquals(-2, LinearQuantization.quantize(-2.5f, unit, Type.INT8));
        assertEquals(3, LinearQuantization.quantize(2.51f, unit, Type.INT8));
    }

    @Test
    void asymmetricUint8PutsZeroExactlyOnALevel() {
        // [-1, 3]: scale 4/255; 0 lies 63.75 levels up, so the zero point is 64 and the range shifts by 0.25 levels.
        Parameters p = LinearQuantization.asymmetric(-1, 3);
        assertEquals(4.0 / 255, p.scale(), 1e-7);
        assertEquals(64, p.zeroPoint());
        assertEquals(0f, LinearQuantization.dequantize(LinearQuantization.quantize(0f, p, Type.UINT8), p));
        assertEquals(0, LinearQuantization.quantize(-1.1f, p, Type.UINT8), "below the range: level 0");
        assertEquals(255, LinearQuantization.quantize(3.1f, p, Type.UINT8), "above it: level 255");
        // A range that does not include 0 is widened to it: ReLU outputs get zero point 0.
        Parameters positive = LinearQuantization.asymmetric(0.5, 2);
        assertEquals(2.0 / 255, positive.scale(), 1e-7);
        assertEquals(0, positive.zeroPoint());
    }

    @Test
    void perChannelScalesFollowAxisZeroAndPerTensorSharesOne() {
        float[] weight = {1f, -2f, 0.5f, 0.25f}; // two output channels of two values
        Parameters[] channels = LinearQuantization.perChannel(weight, 2);
        assertEquals(2f / 127, channels[0].scale(), 1e-9);
        assertEquals(0.5f / 127, channels[1].scale(), 1e-9);
        // 1 / (2/127) = 63.5 -> 64 (half to even), -2 -> -127; 0.5 -> 127, 0.25 / (0.5/127) = 63.5 -> 64
        assertArrayEquals(new int[] {64, -127, 127, 64}, LinearQuantization.quantizeWeight(weight, channels));
        Parameters[] tensor = LinearQuantization.perTensor(weight, 2);
        assertEquals(tensor[0], tensor[1]);
        // 0.5 * 63.5 = 31.75 -> 32, 0.25 * 63.5 = 15.875 -> 16: the small channel keeps only 5 bits
        assertArrayEquals(new int[] {64, -127, 32, 16}, LinearQuantization.quantizeWeight(weight, tensor));
    }

    @Test
    void aBiasIsInt32AtInputScaleTimesWeightScale() {
        Parameters[] weight = {new Parameters(0.02f, 0), new Parameters(0.5f, 0)};
        // 0.1 / (0.01 * 0.02) = 500; -3 / (0.01 * 0.5) = -600
        assertArrayEquals(new int[] {500, -600}, LinearQuantization.quantizeBias(new float[] {0.1f, -3f}, 0.01f,
                weight));
    }

    @Test
    void aScaleMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Parameters(0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Parameters(Float.NaN, 0));
    }
}
