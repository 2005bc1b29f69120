import type { z } from 'zod';

/**
 * Validates a workload's raw params (config file `params:`) against its schema. The Error names
 * the bad field and lists what the workload takes; the CLI turns it into one line and exit 254.
 */
export function parseParams<S extends z.ZodObject>(workload: string, schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(params)';
  throw new Error(`params.${field}: ${issue.message} (the ${workload} workload takes: ${Object.keys(schema.shape).join(', ')})`);
}
