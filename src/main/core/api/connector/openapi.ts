import type { OperationSpec, ParamSpec } from './operation';

// OpenAPI 3.1 document of everything the connector serves, built from the same operation
// descriptions that register the routes.

type Schema = Record<string, unknown>;
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});
const listOf = (item: string): Schema => obj({ value: { type: 'array', items: ref(item) } });

const physicalAddress = obj({ Street: str, City: str, State: str, PostalCode: str, CountryOrRegion: str });
const importance: Schema = { type: 'string', enum: ['Low', 'Normal', 'High'] };

const calendarItemFields: Record<string, Schema> = {
  Subject: str,
  Start: { type: 'string', description: 'ISO 8601; without an offset it is read in TimeZone' },
  End: { type: 'string', description: 'ISO 8601; without an offset it is read in TimeZone' },
  TimeZone: { type: 'string', description: "IANA time zone (default: the machine's zone)" },
  IsAllDay: bool,
  Location: str,
  Body: str,
  IsHtml: bool,
  ShowAs: { type: 'string', enum: ['Free', 'Busy', 'Tentative', 'Oof'] },
  Importance: importance,
  Reminder: { type: ['integer', 'null'], description: 'Minutes before the start' },
  RequiredAttendees: { type: 'string', description: "';'-separated addresses" },
  OptionalAttendees: { type: 'string', description: "';'-separated addresses" },
  Categories: { type: 'array', items: str },
  Recurrence: { type: ['string', 'null'], description: 'RRULE, e.g. FREQ=WEEKLY;BYDAY=MO' },
};

const contactItemFields: Record<string, Schema> = {
  DisplayName: str,
  GivenName: str,
  Surname: str,
  EmailAddresses: { type: 'array', items: obj({ Name: str, Address: { type: 'string', format: 'email' } }, ['Address']) },
  MobilePhone1: str,
  HomePhones: { type: 'array', items: str },
  BusinessPhones: { type: 'array', items: str },
  CompanyName: str,
  JobTitle: str,
  Birthday: { type: ['string', 'null'], description: 'YYYY-MM-DD' },
  HomeAddress: physicalAddress,
  BusinessAddress: physicalAddress,
  PersonalNotes: str,
  Categories: { type: 'array', items: str },
};

const messageOptions: Schema = obj(
  { Subject: str, Options: { type: 'string', description: 'Comma-separated options' }, Body: str, Importance: importance, Attachments: { type: 'array', items: ref('SendAttachment') }, To: str },
  ['Subject', 'Options', 'To'],
);

export const COMPONENT_SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }, ['code', 'message']) }, ['error']),
  SendAttachment: obj({ '@odata.type': str, Name: str, ContentBytes: { type: 'string', contentEncoding: 'base64' }, ContentType: str }, ['Name', 'ContentBytes']),
  SendMessage: obj(
    { Attachments: { type: 'array', items: ref('SendAttachment') }, From: str, Cc: str, Bcc: str, Subject: str, Body: str, Importance: importance, IsHtml: bool, To: str },
    ['Subject', 'Body', 'To'],
  ),
  ReceiveAttachment: obj({ Id: str, ContentType: str, '@odata.type': str, Name: str, ContentBytes: { type: 'string', contentEncoding: 'base64' }, Size: { type: 'integer' } }, [
    'Id',
    'ContentType',
    'Name',
    'ContentBytes',
  ]),
  ReceiveMessage: obj(
    {
      Id: str,
      IsRead: bool,
      HasAttachment: bool,
      DateTimeReceived: dateTime,
      Attachments: { type: 'array', items: ref('ReceiveAttachment') },
      From: str,
      Cc: str,
      Bcc: str,
      Subject: str,
      Body: str,
      Importance: importance,
      IsHtml: bool,
      To: str,
    },
    ['Subject', 'Body', 'To'],
  ),
  ReceiveMessageArray: { type: 'array', items: ref('ReceiveMessage') },
  TriggerBatchResponse_ReceiveMessage: listOf('ReceiveMessage'),
  MessageWithOptions: messageOptions,
  ApprovalMessage: messageOptions,
  OptionsEmailSubscription: obj({ NotificationUrl: { type: 'string', format: 'uri' }, Message: ref('MessageWithOptions') }, ['Message']),
  ApprovalEmailSubscription: obj({ NotificationUrl: { type: 'string', format: 'uri' }, Message: ref('ApprovalMessage') }, ['Message']),
  SubscriptionResponse: obj({ id: str, resource: str, notificationType: str, notificationUrl: str }),
  ApprovalEmailResponse: obj({ SelectedOption: str }),
  TablesList: listOf('Table'),
  Table: obj({ Name: str, DisplayName: str }),
  CalendarItemInput: obj(calendarItemFields),
  CalendarItem: obj({
    ItemInternalId: str,
    Id: str,
    ...calendarItemFields,
    Organizer: str,
    CreatedTime: dateTime,
    LastModifiedTime: dateTime,
    SeriesMasterId: { type: 'string', description: 'For occurrences of a series' },
    OccurrenceKey: { type: 'string', description: 'For occurrences: event id and start' },
  }),
  CalendarItemsList: listOf('CalendarItem'),
  ContactItemInput: obj(contactItemFields),
  ContactItem: obj({ ItemInternalId: str, Id: str, ...contactItemFields, CreatedTime: dateTime, LastModifiedTime: dateTime }),
  ContactItemsList: listOf('ContactItem'),
};

function parameter(p: ParamSpec): Schema {
  const schema: Schema = { type: p.type };
  if (p.default !== undefined) schema.default = p.default;
  if (p.minimum !== undefined) schema.minimum = p.minimum;
  if (p.maximum !== undefined) schema.maximum = p.maximum;
  if (p.enum) schema.enum = p.enum;
  return { name: p.name, in: p.in, required: p.in === 'path' ? true : p.required, description: p.description, schema };
}

const HEADER_DOCS: Record<string, Schema> = {
  Location: { description: 'This route with the triggerState to poll next', schema: { type: 'string', format: 'uri' } },
  'Retry-After': { description: 'Seconds to wait before polling again', schema: { type: 'integer' } },
};

const CONTENT_TYPES = ['application/json', 'application/xml'];

function content(schema: string): Schema {
  return Object.fromEntries(CONTENT_TYPES.map((t) => [t, { schema: ref(schema) }]));
}

function operation(op: OperationSpec): Schema {
  const out: Schema = {
    operationId: op.operationId,
    summary: op.summary,
    tags: op.tags,
    parameters: op.params.map(parameter),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([code, r]) => [
        code,
        {
          description: r.description,
          ...(r.schema ? { content: content(r.schema) } : {}),
          ...(r.headers ? { headers: Object.fromEntries(r.headers.map((h) => [h, HEADER_DOCS[h]])) } : {}),
        },
      ]),
    ),
    security: [{ bearer: [] }],
  };
  if (op.description) out.description = op.description;
  if (op.body) out.requestBody = { description: op.body.description, required: true, content: content(op.body.schema), 'x-ms-body-name': op.body.name };
  if (op.trigger) out['x-ms-trigger'] = 'batch';
  return out;
}

export function openApiDocument(ops: readonly OperationSpec[], version: string): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of ops) (paths[op.path] ??= {})[op.method.toLowerCase()] = operation(op);
  paths['/openapi.json'] = {
    get: {
      operationId: 'GetOpenApi',
      summary: 'This document',
      tags: ['Meta'],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }, '401': { description: 'Unauthorized' } },
      security: [{ bearer: [] }],
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pimlico Outlook.com connector',
      version,
      description:
        "The Outlook.com connector's actions and polling triggers, served by Pimlico from its local cache for any account. JSON by default; XML with Accept: application/xml. Errors are { error: { code, message } }.",
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: COMPONENT_SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
  };
}
