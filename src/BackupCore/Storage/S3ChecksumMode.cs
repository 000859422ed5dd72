namespace BackupCore.Storage;

/// <summary>
/// When the AWS SDK adds its own request checksums (<c>x-amz-checksum-*</c>) to uploads.
/// Content-MD5 is sent on every part and object in both modes, so the server always verifies what it received.
/// </summary>
public enum S3ChecksumMode
{
    /// <summary>
    /// Only when an operation requires one. For S3-compatible servers (Ceph RGW, MinIO, R2, emulators):
    /// AWS SDK v4 by default streams bodies as <c>aws-chunked</c> with a trailing CRC32, which many of them
    /// reject (RGW 16: 400 XAmzContentSHA256Mismatch) or, worse, store with the framing as object data.
    /// </summary>
    WhenRequired,

    /// <summary>The SDK v4 default: a CRC32 on every upload request, checked by S3 itself. Use this with AWS.</summary>
    WhenSupported,
}
