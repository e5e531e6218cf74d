/**
 * The typed refusals of client authentication and authorisation, shared by the front ends'
 * error tables (HTTP: 401, 403; RESP words its own as Redis does, see resp_auth.ts).
 */

/** No credentials, or credentials that match no user or token (HTTP 401). */
export class AuthenticationRequiredError extends Error {
  override readonly name = "AuthenticationRequiredError";
  readonly code = "UNAUTHENTICATED";
}

/** An authenticated user without the permission a request needs (HTTP 403). */
export class PermissionDeniedError extends Error {
  override readonly name = "PermissionDeniedError";
  readonly code = "PERMISSION_DENIED";
  constructor(readonly user: string, readonly permission: string, what: string) {
    super(`User ${user} has no ${permission} permission, which ${what} needs`);
  }
}

/** A client not on loopback while protected mode is on and no users are configured (403). */
export class ProtectedModeError extends Error {
  override readonly name = "ProtectedModeError";
  readonly code = "PROTECTED_MODE";
}
