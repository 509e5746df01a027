import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { errorMessage } from '../../util/errors';
import { SendError } from '../types';
import { smtpConnectionOptions } from './client';
import type { Endpoint } from './settings';

interface SmtpFailure extends Error {
  code?: string;
  responseCode?: number;
}

function connect(conn: SMTPConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    conn.once('error', reject);
    conn.connect((err) => (err ? reject(err) : resolve()));
  });
}

function login(conn: SMTPConnection, user: string, pass: string): Promise<void> {
  return new Promise((resolve, reject) => conn.login({ credentials: { user, pass } }, (err) => (err ? reject(err) : resolve())));
}

export interface SmtpSession {
  conn: SMTPConnection;
  close(): void;
}

/** Connects and authenticates; every failure here happens before the server saw any message. */
export async function openSmtp(ep: Endpoint, password: string): Promise<SmtpSession> {
  const conn = new SMTPConnection(await smtpConnectionOptions(ep));
  const close = () => {
    try {
      conn.quit();
    } catch {
      conn.close();
    }
  };
  try {
    await connect(conn);
    await login(conn, ep.user, password);
  } catch (err) {
    conn.close();
    throw err;
  }
  return { conn, close };
}

/**
 * Sends one message. The split that matters: until the message body starts to flow (after the
 * server's 354 to DATA) nothing can have been delivered, so failures are 'before-accept' and safe
 * to retry. Once it flows, a lost connection leaves the outcome unknown ('after-accept'), while an
 * explicit rejection of the body by the server is still a clean failure.
 */
export async function sendRaw(ep: Endpoint, password: string, envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
  let session: SmtpSession;
  try {
    session = await openSmtp(ep, password);
  } catch (err) {
    const e = err as SmtpFailure;
    const permanent = e.code === 'EAUTH' || (e.responseCode !== undefined && e.responseCode >= 500);
    throw new SendError(`Could not connect to the SMTP server: ${errorMessage(err)}`, 'before-accept', permanent);
  }
  let bodyStarted = false;
  const body = new Readable({
    read() {
      bodyStarted = true;
      this.push(raw);
      this.push(null);
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      session.conn.once('error', reject);
      session.conn.once('end', () => reject(new Error('The SMTP connection closed')));
      session.conn.send(envelope, body, (err) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    session.conn.close();
    const e = err as SmtpFailure;
    const answered = e.responseCode !== undefined;
    if (bodyStarted && !answered) {
      throw new SendError(`The connection broke after the message was handed over: ${errorMessage(err)}`, 'after-accept');
    }
    throw new SendError(`The SMTP server refused the message: ${errorMessage(err)}`, 'before-accept', answered && (e.responseCode ?? 0) >= 500);
  }
  session.close();
}
