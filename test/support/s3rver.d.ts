/**
 * The part of s3rver 3.7.1 (a CommonJS package without types) that test/support/s3-stand-in.ts
 * uses: the server, which is a Koa application, and its middleware list.
 */
declare module "s3rver" {
  import type { IncomingHttpHeaders } from "node:http";
  import type { AddressInfo } from "node:net";

  /** The fields of a Koa context that the stand-in reads and sets. */
  export interface KoaContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    headers: IncomingHttpHeaders;
    status: number;
    body: unknown;
    type: string;
    set(field: string, value: string): void;
  }
  export type KoaMiddleware = (context: KoaContext, next: () => Promise<void>) => Promise<void>;

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string }[];
  }

  /** s3rver's folder store: where it keeps objects and multipart uploads. */
  export interface FilesystemStore {
    existsObject(bucket: string, key: string): Promise<boolean>;
    /** The folder of a bucket's resource: with key undefined and "uploads", its uploads. */
    getResourcePath(bucket: string, key: undefined, resource: string): string;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's list, composed into the request handler when run() starts listening. */
    middleware: KoaMiddleware[];
    store: FilesystemStore;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
