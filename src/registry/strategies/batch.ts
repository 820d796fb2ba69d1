// Jobs and CronJobs: defaulted on create (the Job's selector and labels are generated
// from its uid there, as upstream's job strategy does); a pod template left partly out
// by a later write is defaulted again.
import type { CronJob, Job, PodSpec } from "../../model/types";
import { defaultCronJob, defaultJob, defaultPodSpec } from "../defaults";
import type { ResourceStrategy } from "./types";

export const jobStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultJob(obj as Job),
  prepareForUpdate: (next) => {
    const spec = (next as Job).spec?.template?.spec as PodSpec | undefined;
    if (spec) defaultPodSpec(spec);
  },
};

export const cronJobStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultCronJob(obj as CronJob),
  prepareForUpdate: (next) => {
    const spec = (next as CronJob).spec?.jobTemplate?.spec?.template?.spec as PodSpec | undefined;
    if (spec) defaultPodSpec(spec);
  },
};
