import { MAX_CONTACT_PHOTO_BYTES } from '../../../shared/contract/pim';
import type { ContactPhoto } from '../pim';
import { badRequest } from '../util/errors';

/** The image types a contact photo may have, recognised by their first bytes (the given content type is never trusted). */
export function sniffImageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | null {
  const starts = (sig: number[], at = 0) => bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

/**
 * A photo upload (base64 of the image file, or a data: URL whose declared type is ignored) checked and
 * turned into vCard photo data: strict base64, at most MAX_CONTACT_PHOTO_BYTES, PNG/JPEG/GIF/WebP by content.
 */
export function decodePhotoUpload(upload: string): ContactPhoto {
  const payload = upload.trim().replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
  if (!payload || payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) throw badRequest('The photo is not base64-encoded image data');
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length > MAX_CONTACT_PHOTO_BYTES) {
    throw badRequest(`The photo is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; a contact photo can be at most ${MAX_CONTACT_PHOTO_BYTES / 1024 / 1024} MB`);
  }
  const mediaType = sniffImageType(bytes);
  if (!mediaType) throw badRequest('The photo is not a PNG, JPEG, GIF or WebP image');
  return { mediaType, base64: bytes.toString('base64') };
}
