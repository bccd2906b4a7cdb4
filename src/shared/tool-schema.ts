/**
 * The JSON schema a model is sent for a tool's input, generated from the zod schema its answer is
 * checked with (`z.toJSONSchema`): types, enums, descriptions and required fields. The limits (lengths,
 * counts, ranges) stay in the check only, as they always were: an answer that breaks one is set aside or
 * refused by the app with a clear reason, instead of being refused by `claude -p --json-schema`. A field
 * that may be null (`nullish`) is offered as its plain type; a field with a default is required.
 */
import { z } from 'zod'

export interface ToolInputSchema {
  type: 'object'
  properties: Record<string, unknown>
  required?: string[]
  [key: string]: unknown
}

const LIMITS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'default']

type Node = Record<string, unknown>

export function toolInputSchema(schema: z.ZodObject): ToolInputSchema {
  const json = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      const node = jsonSchema as Node
      for (const key of LIMITS) delete node[key]
      delete node.additionalProperties
      const anyOf = node.anyOf as Node[] | undefined
      if (anyOf?.length === 2 && anyOf.some((s) => s.type === 'null')) {
        const [kept] = anyOf.filter((s) => s.type !== 'null')
        delete node.anyOf
        Object.assign(node, { ...kept, ...node })
      }
    }
  }) as Node
  delete json.$schema
  return json as unknown as ToolInputSchema
}
