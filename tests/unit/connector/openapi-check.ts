// A structural check of an OpenAPI 3.1 document: the rules of the specification's object model that
// a generator can get wrong (required fields, parameter rules, path templating, unique operation ids,
// resolvable $refs, JSON Schema 2020-12 keywords with valid values). Returns every problem found.

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PARAM_IN = ['query', 'header', 'path', 'cookie'];
const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'];
const SCHEMA_KEYWORDS = new Set([
  '$ref', '$id', '$schema', '$defs', '$comment', 'type', 'enum', 'const', 'format', 'default', 'description', 'title', 'examples', 'deprecated', 'readOnly', 'writeOnly',
  'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties',
  'items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contentEncoding', 'contentMediaType', 'discriminator', 'xml', 'externalDocs', 'example',
]);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkOpenApi31(doc: unknown): string[] {
  const errors: string[] = [];
  const err = (where: string, what: string): void => {
    errors.push(`${where}: ${what}`);
  };
  if (!isObj(doc)) return ['document: not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) err('openapi', `must be 3.1.x, got ${String(doc.openapi)}`);
  const info = doc.info;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string') err('info', 'needs title and version strings');
  if (!isObj(doc.paths) && !isObj(doc.components) && !isObj(doc.webhooks)) err('document', 'needs paths, components or webhooks');

  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) return undefined;
    let cur: unknown = doc;
    for (const part of ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      if (!isObj(cur)) return undefined;
      cur = cur[part];
    }
    return cur;
  };

  const checkSchema = (s: unknown, where: string): void => {
    if (typeof s === 'boolean') return;
    if (!isObj(s)) return err(where, 'schema must be an object or boolean');
    for (const key of Object.keys(s)) if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) err(where, `unknown schema keyword '${key}'`);
    if (typeof s.$ref === 'string' && resolve(s.$ref) === undefined) err(where, `unresolvable $ref ${s.$ref}`);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      for (const t of types) if (!JSON_TYPES.includes(String(t))) err(where, `invalid type '${String(t)}'`);
    }
    if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) err(where, 'required must be an array of strings');
    if (Array.isArray(s.required) && isObj(s.properties)) for (const r of s.required) if (!(String(r) in s.properties)) err(where, `required property '${String(r)}' is not defined`);
    if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) err(where, 'enum must be a non-empty array');
    if (isObj(s.properties)) for (const [k, v] of Object.entries(s.properties)) checkSchema(v, `${where}.properties.${k}`);
    if (s.items !== undefined) checkSchema(s.items, `${where}.items`);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((x, i) => checkSchema(x, `${where}.${k}[${i}]`));
  };

  const checkContent = (content: unknown, where: string) => {
    if (!isObj(content)) return err(where, 'content must be a map of media types');
    for (const [type, media] of Object.entries(content)) {
      if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type)) err(where, `invalid media type '${type}'`);
      if (!isObj(media)) err(`${where}.${type}`, 'media type object expected');
      else if (media.schema !== undefined) checkSchema(media.schema, `${where}.${type}.schema`);
    }
  };

  const operationIds = new Set<string>();
  const paths = isObj(doc.paths) ? doc.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/')) err(path, 'path must start with /');
    if (!isObj(item)) {
      err(path, 'path item must be an object');
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const key of Object.keys(item)) if (!METHODS.includes(key) && !['summary', 'description', 'servers', 'parameters', '$ref'].includes(key) && !key.startsWith('x-')) err(path, `unknown key '${key}'`);
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObj(op)) {
        err(where, 'operation must be an object');
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) err(where, `duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const params = Array.isArray(op.parameters) ? op.parameters : [];
      const seen = new Set<string>();
      for (const p of params) {
        if (!isObj(p) || typeof p.name !== 'string' || !PARAM_IN.includes(String(p.in))) {
          err(where, `parameter needs name and in (${PARAM_IN.join('|')})`);
          continue;
        }
        const key = `${String(p.in)}:${p.name}`;
        if (seen.has(key)) err(where, `duplicate parameter ${key}`);
        seen.add(key);
        if (p.in === 'path' && p.required !== true) err(where, `path parameter ${p.name} must be required: true`);
        if (p.in === 'path' && !templated.includes(p.name)) err(where, `path parameter ${p.name} is not in the path template`);
        if ((p.schema === undefined) === (p.content === undefined)) err(where, `parameter ${p.name} needs exactly one of schema or content`);
        if (p.schema !== undefined) checkSchema(p.schema, `${where} parameter ${p.name}`);
      }
      for (const name of templated) if (!params.some((p) => isObj(p) && p.in === 'path' && p.name === name)) err(where, `template {${name}} has no path parameter`);
      if (op.requestBody !== undefined) {
        if (!isObj(op.requestBody)) err(where, 'requestBody must be an object');
        else checkContent(op.requestBody.content, `${where} requestBody`);
      }
      if (!isObj(op.responses) || Object.keys(op.responses).length === 0) err(where, 'needs at least one response');
      else
        for (const [code, r] of Object.entries(op.responses)) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) err(where, `invalid response code '${code}'`);
          if (!isObj(r) || typeof r.description !== 'string') err(`${where} ${code}`, 'response needs a description');
          else {
            if (r.content !== undefined) checkContent(r.content, `${where} ${code}`);
            if (r.headers !== undefined) {
              if (!isObj(r.headers)) err(`${where} ${code}`, 'headers must be a map');
              else for (const [h, hv] of Object.entries(r.headers)) if (!isObj(hv) || (hv.schema === undefined && hv.content === undefined)) err(`${where} ${code} header ${h}`, 'needs a schema');
            }
          }
        }
      if (op.security !== undefined) {
        const schemes = isObj(doc.components) && isObj(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
        for (const req of op.security as unknown[]) if (isObj(req)) for (const name of Object.keys(req)) if (!(name in schemes)) err(where, `unknown security scheme ${name}`);
      }
    }
  }
  const components = isObj(doc.components) ? doc.components : {};
  if (isObj(components.schemas)) for (const [name, s] of Object.entries(components.schemas)) {
    if (!/^[a-zA-Z0-9._-]+$/.test(name)) err(`components.schemas.${name}`, 'invalid component name');
    checkSchema(s, `components.schemas.${name}`);
  }
  return errors;
}
