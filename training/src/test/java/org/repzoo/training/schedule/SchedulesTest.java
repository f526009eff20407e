package org.repzoo.training.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Schedule values against hand-computed ones, and their JSON round trip (they live inside saved configurations). */
class SchedulesTest {

    @Test
    void cosineAnnealingFollowsHalfACosine() {
        ISchedule cosine = new CosineAnnealingSchedule(ScheduleType.ITERATION, 0.1, 0, 100);
        assertEquals(0.1, cosine.valueAt(0, 0), 1e-15);
        assertEquals(0.08535533905932738, cosine.valueAt(25, 0), 1e-15); // 0.1 * (1 + cos(pi/4)) / 2
        assertEquals(0.05, cosine.valueAt(50, 0), 1e-15);
        assertEquals(0, cosine.valueAt(100, 3), 1e-15);
        assertEquals(0, cosine.valueAt(150, 5), 1e-15); // stays at the minimum after the period
        ISchedule floored = new CosineAnnealingSchedule(ScheduleType.EPOCH, 0.1, 0.02, 10);
        assertEquals(0.06, floored.valueAt(999, 5), 1e-15); // 0.02 + 0.08 / 2, by epoch
    }

    @Test
    void multiStepDividesByTenAtEachMilestone() {
        ISchedule steps = new MultiStepSchedule(ScheduleType.EPOCH, 0.1, 0.1, new int[] {30, 60});
        assertEquals(0.1, steps.valueAt(99_999, 29), 1e-15);
        assertEquals(0.01, steps.valueAt(0, 30), 1e-15);
        assertEquals(0.001, steps.valueAt(0, 60), 1e-15);
        assertEquals(0.001, steps.valueAt(0, 89), 1e-15);
    }

    /** DL4J's StepSchedule is the periodic decay: checked here because the recipes rely on it. */
    @Test
    void periodicDecaysOfInceptionAndGoogLeNet() {
        ISchedule inception = new StepSchedule(ScheduleType.EPOCH, 0.045, 0.94, 2);
        assertEquals(0.045, inception.valueAt(0, 1), 1e-15);
        assertEquals(0.045 * 0.94, inception.valueAt(0, 2), 1e-15);
        assertEquals(0.033025681008, inception.valueAt(0, 10), 1e-12); // 0.045 * 0.94^5
        ISchedule googlenet = new StepSchedule(ScheduleType.EPOCH, 0.01, 0.96, 8);
        assertEquals(0.01, googlenet.valueAt(0, 7), 1e-15);
        assertEquals(0.0096, googlenet.valueAt(0, 8), 1e-15);
        assertEquals(0.007514474781, googlenet.valueAt(0, 56), 1e-12); // 0.01 * 0.96^7
    }

    @Test
    void warmupRampsLinearlyThenHandsOver() {
        ISchedule warm = new WarmupSchedule(new FixedSchedule(0.4), 4);
        assertEquals(0.1, warm.valueAt(0, 0), 1e-15);
        assertEquals(0.2, warm.valueAt(1, 0), 1e-15);
        assertEquals(0.4, warm.valueAt(3, 0), 1e-15);
        assertEquals(0.4, warm.valueAt(4, 1), 1e-15);
        ISchedule warmCosine = new WarmupSchedule(new CosineAnnealingSchedule(ScheduleType.ITERATION, 0.1, 0, 100), 10);
        assertEquals(0.1 * (1 + Math.cos(Math.PI * 4 / 100)) / 2 * 5 / 10, warmCosine.valueAt(4, 0), 1e-15);
    }

    @Test
    void plateauDividesAfterPatienceEpochsWithoutImprovement() {
        PlateauDecay plateau = new PlateauDecay(0.01, 0.1, 2, 0);
        assertEquals(0.01, plateau.onValidation(0.50), 1e-15);
        assertEquals(0.01, plateau.onValidation(0.60), 1e-15);
        assertEquals(0.01, plateau.onValidation(0.60), 1e-15); // 1 epoch without improvement
        assertEquals(0.001, plateau.onValidation(0.59), 1e-15); // 2: divide by 10
        assertEquals(0.001, plateau.onValidation(0.59), 1e-15); // counter restarted
        assertEquals(0.001, plateau.onValidation(0.70), 1e-15);
    }

    @Test
    void schedulesSurviveJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ISchedule[] schedules = {
                new CosineAnnealingSchedule(ScheduleType.ITERATION, 0.1, 0.001, 600_600),
                new MultiStepSchedule(ScheduleType.EPOCH, 0.1, 0.1, new int[] {30, 60}),
                new WarmupSchedule(new MultiStepSchedule(ScheduleType.EPOCH, 0.4, 0.1, new int[] {30}), 25_000),
        };
        for (ISchedule schedule : schedules) {
            ISchedule back = json.readValue(json.writeValueAsString(schedule), ISchedule.class);
            assertEquals(schedule, back);
            assertEquals(schedule.valueAt(123, 31), back.valueAt(123, 31), 0);
        }
    }
}
