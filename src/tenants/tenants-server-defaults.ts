/** The tenants server's listen address by default; a module of its own so --help need not load the server. */
export const DEFAULT_TENANTS_LISTEN = "127.0.0.1:50052";
