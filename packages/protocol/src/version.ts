/** Version of the wire protocol; bumped on any change a peer of the previous version could not read. */
export const PROTOCOL_VERSION = 1;

/** Protocol versions this build can speak with (the handshake checks the peer's against it). */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** Version of the Axum release (CLI and daemon ship together). */
export const AXUM_VERSION = '0.1.0';
