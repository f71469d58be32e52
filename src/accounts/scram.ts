/** SCRAM-SHA-256 server side (RFC 5802, RFC 7677): filled in after milestone 1. */
export interface ScramServer {
  account: string;
}
