/** True for a users file `root` that names an S3 location (`s3://bucket/prefix/`). */
export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text.trim());
}

/** S3's bucket naming rule (the DNS-compatible one every region accepts). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
