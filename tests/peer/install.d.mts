export const OPENCLAW_VERSION: string;
export const OFFICIAL_SDK_VERSION: string;
export function peerCacheDir(): string;
export function ensurePeerInstalled(opts?: { sdk?: boolean; log?: (line: string) => void }): Promise<{
  nodeBin: string;
  openclawEntry: string;
  ocDir: string;
  sdkDir: string;
  root: string;
}>;
