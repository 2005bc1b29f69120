import type { Model } from '../model.ts';
import { casRegisterModel, lwwModel, registerModel } from './register.ts';
import { kvModel, kvSingleModel } from './kv.ts';

/** The shipped models by name (`--model <name>`). */
export const models: Readonly<Record<string, Model<any, any, any>>> = {
  register: registerModel,
  'cas-register': casRegisterModel,
  kv: kvModel,
  'kv-single': kvSingleModel,
  lww: lwwModel,
};

export { casRegisterModel, lwwModel, registerModel, kvModel, kvSingleModel };
