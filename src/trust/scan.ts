import { scanText, type DescribedText, type Finding } from './rules.js';
import type { SurfaceItem } from './surface.js';

/**
 * Every text of a surface the model reads: names-with-descriptions of tools, their arguments (the input schema's
 * properties, nested ones too), prompts and their arguments, resource templates. Pure.
 */
export function describedTexts(items: SurfaceItem[]): DescribedText[] {
  const texts: DescribedText[] = [];
  for (const item of items) {
    const label = `${item.kind === 'resourceTemplate' ? 'resource template' : item.kind} ${item.name}`;
    for (const field of ['title', 'description'] as const) {
      const text = item.value[field];
      if (typeof text === 'string') texts.push({ where: `${label} ${field}`, text });
    }
    if (item.kind === 'tool') schemaTexts(item.value.inputSchema, `${label} argument`, texts, 0);
    if (item.kind === 'prompt' && Array.isArray(item.value.arguments)) {
      for (const argument of item.value.arguments as Array<Record<string, unknown>>) {
        if (typeof argument?.description === 'string') texts.push({ where: `${label} argument ${String(argument.name)}`, text: argument.description });
      }
    }
  }
  return texts;
}

/** Descriptions and titles of a JSON schema's properties, depth-limited (a hostile schema may nest without end). */
function schemaTexts(schema: unknown, label: string, out: DescribedText[], depth: number): void {
  if (!schema || typeof schema !== 'object' || depth > 8) return;
  const properties = (schema as Record<string, unknown>).properties;
  if (properties && typeof properties === 'object') {
    for (const [name, property] of Object.entries(properties as Record<string, unknown>)) {
      if (!property || typeof property !== 'object') continue;
      for (const field of ['title', 'description'] as const) {
        const text = (property as Record<string, unknown>)[field];
        if (typeof text === 'string') out.push({ where: `${label} ${name}${field === 'title' ? ' title' : ''}`, text });
      }
      schemaTexts(property, `${label} ${name}.`.replace(/\.$/, ''), out, depth + 1);
      schemaTexts((property as Record<string, unknown>).items, `${label} ${name}[]`, out, depth + 1);
    }
  }
}

export function scanSurface(items: SurfaceItem[]): Finding[] {
  return scanText(describedTexts(items));
}
