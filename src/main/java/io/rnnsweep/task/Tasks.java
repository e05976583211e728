package io.rnnsweep.task;

import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The registry of the documented tasks, and the one place a trial configuration is resolved against a task. */
public final class Tasks {
    private static final Map<TaskName, RnnTask> TASKS = new EnumMap<>(TaskName.class);

    static {
        for (RnnTask t : List.of(new SrnTask(), new BinaryAdditionTask(), new HelloTask(), new AntonymsTask(),
                new SineTask(), new TimeMachineTask())) {
            TASKS.put(t.name(), t);
        }
    }

    private Tasks() {
    }

    /** Returns the task of that name. */
    public static RnnTask get(TaskName name) {
        return TASKS.get(name);
    }

    /** Returns every task, in documentation order. */
    public static List<RnnTask> all() {
        return List.copyOf(TASKS.values());
    }

    /**
     * Resolves user options against the task: its defaults, overridden by {@code options}.
     *
     * @throws InvalidOptionException naming the option when one does not apply to the task or
     *     its value is not allowed
     */
    public static TrialConfig resolve(TaskName name, Map<TrialOption, String> options) {
        RnnTask task = get(name);
        for (TrialOption o : options.keySet()) {
            if (!task.options().contains(o)) {
                String applies = task.options().stream().map(TrialOption::key).collect(Collectors.joining(", "));
                throw new InvalidOptionException(o.key(), options.get(o),
                        "nothing: it does not apply to task " + name.key() + " (its options: "
                                + (applies.isEmpty() ? "none" : applies) + ")");
            }
        }
        return task.defaults().withAll(options);
    }
}
