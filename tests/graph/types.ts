/**
 * Microsoft Graph v1.0 JSON shapes produced by the emulator.
 *
 * `type` aliases (not interfaces) so they stay assignable to `Record<string, unknown>`,
 * which the OData helpers ($select, paging) operate on.
 */

export type JsonObject = Record<string, unknown>;

export type EmailAddress = { name: string; address: string };
export type Recipient = { emailAddress: EmailAddress };
export type ItemBody = { contentType: 'text' | 'html'; content: string };
/** Graph's dateTimeTimeZone: a wall-clock time plus the zone it is expressed in. */
export type DateTimeTimeZone = { dateTime: string; timeZone: string };
export type Importance = 'low' | 'normal' | 'high';
export type FlagStatus = 'notFlagged' | 'complete' | 'flagged';
export type FollowupFlag = {
  flagStatus: FlagStatus;
  startDateTime?: DateTimeTimeZone;
  dueDateTime?: DateTimeTimeZone;
  completedDateTime?: DateTimeTimeZone;
};
export type SingleValueExtendedProperty = { id: string; value: string };
export type InternetMessageHeader = { name: string; value: string };
export type PhysicalAddress = {
  street?: string;
  city?: string;
  state?: string;
  countryOrRegion?: string;
  postalCode?: string;
};

export type GraphUser = {
  '@odata.context'?: string;
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  userPrincipalName: string;
  businessPhones: string[];
  jobTitle: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
};

export type GraphMailFolder = {
  id: string;
  displayName: string;
  parentFolderId: string;
  childFolderCount: number;
  unreadItemCount: number;
  totalItemCount: number;
  sizeInBytes: number;
  isHidden: boolean;
};

export type GraphMessage = {
  '@odata.etag': string;
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  receivedDateTime: string;
  sentDateTime: string;
  hasAttachments: boolean;
  internetMessageId: string;
  subject: string;
  bodyPreview: string;
  importance: Importance;
  parentFolderId: string;
  conversationId: string;
  conversationIndex: string;
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  isRead: boolean;
  isDraft: boolean;
  webLink: string;
  inferenceClassification: 'focused' | 'other';
  body: ItemBody;
  sender: Recipient | null;
  from: Recipient | null;
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  flag: FollowupFlag;
};

export type GraphFileAttachment = {
  '@odata.type': '#microsoft.graph.fileAttachment';
  '@odata.mediaContentType': string;
  id: string;
  lastModifiedDateTime: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId: string | null;
  contentLocation: string | null;
  contentBytes?: string;
};

export type ResponseType =
  'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';
export type ResponseStatus = { response: ResponseType; time: string };
export type AttendeeType = 'required' | 'optional' | 'resource';
export type Attendee = { type: AttendeeType; status: ResponseStatus; emailAddress: EmailAddress };
export type FreeBusyStatus = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
export type Sensitivity = 'normal' | 'personal' | 'private' | 'confidential';
export type EventType = 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
export type Location = {
  displayName: string;
  locationType: string;
  uniqueIdType: string;
  uniqueId?: string;
  address: PhysicalAddress;
  coordinates: Record<string, number>;
};

export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export type WeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';
export type RecurrencePatternType =
  'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
export type RecurrencePattern = {
  type: RecurrencePatternType;
  interval: number;
  month: number;
  dayOfMonth: number;
  daysOfWeek: DayOfWeek[];
  firstDayOfWeek: DayOfWeek;
  index: WeekIndex;
};
export type RecurrenceRange = {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate: string;
  endDate: string;
  recurrenceTimeZone: string;
  numberOfOccurrences: number;
};
export type PatternedRecurrence = { pattern: RecurrencePattern; range: RecurrenceRange };

export type GraphEvent = {
  '@odata.etag': string;
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  transactionId: string | null;
  originalStartTimeZone: string;
  originalEndTimeZone: string;
  iCalUId: string;
  reminderMinutesBeforeStart: number;
  isReminderOn: boolean;
  hasAttachments: boolean;
  subject: string;
  bodyPreview: string;
  importance: Importance;
  sensitivity: Sensitivity;
  isAllDay: boolean;
  isCancelled: boolean;
  isOrganizer: boolean;
  responseRequested: boolean;
  seriesMasterId: string | null;
  showAs: FreeBusyStatus;
  type: EventType;
  webLink: string;
  onlineMeetingUrl: string | null;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  allowNewTimeProposals: boolean;
  isDraft: boolean;
  hideAttendees: boolean;
  originalStart?: string;
  responseStatus: ResponseStatus;
  body: ItemBody;
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  location: Location;
  locations: Location[];
  recurrence: PatternedRecurrence | null;
  attendees: Attendee[];
  organizer: Recipient;
  onlineMeeting: null;
};

export type GraphCalendar = {
  id: string;
  name: string;
  color: string;
  hexColor: string;
  isDefaultCalendar: boolean;
  changeKey: string;
  canShare: boolean;
  canViewPrivateItems: boolean;
  canEdit: boolean;
  allowedOnlineMeetingProviders: string[];
  defaultOnlineMeetingProvider: string;
  isTallyingResponses: boolean;
  isRemovable: boolean;
  owner: EmailAddress;
};

export type GraphContactFolder = { id: string; displayName: string; parentFolderId: string };

export type GraphContact = {
  '@odata.etag': string;
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  parentFolderId: string;
  birthday: string | null;
  fileAs: string;
  displayName: string;
  givenName: string | null;
  initials: string | null;
  middleName: string | null;
  nickName: string | null;
  surname: string | null;
  title: string | null;
  yomiGivenName: string | null;
  yomiSurname: string | null;
  yomiCompanyName: string | null;
  generation: string | null;
  imAddresses: string[];
  jobTitle: string | null;
  companyName: string | null;
  department: string | null;
  officeLocation: string | null;
  profession: string | null;
  businessHomePage: string | null;
  assistantName: string | null;
  manager: string | null;
  homePhones: string[];
  mobilePhone: string | null;
  businessPhones: string[];
  spouseName: string | null;
  personalNotes: string;
  children: string[];
  emailAddresses: EmailAddress[];
  homeAddress: PhysicalAddress;
  businessAddress: PhysicalAddress;
  otherAddress: PhysicalAddress;
};
