/**
 * A terminal progress bar for model downloads (cli-progress), drawn only on a TTY.
 * @module
 */
import cliProgress from "cli-progress";
import type { DownloadProgress } from "./download.js";

/** A progress bar fed by `resolveModel`'s `onProgress`. */
export interface ProgressBar {
  /** Pass as `onProgress`. */
  onProgress(progress: DownloadProgress): void;
  /** Removes the bar; call once the download settles. */
  stop(): void;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/**
 * Creates a progress bar on `stream` (default stderr). On a non-TTY stream it draws nothing.
 * @param label shown before the bar, e.g. the file name.
 */
export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {done}/{all} MB | {speed} MB/s | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const startedAt = Date.now();
  let firstBytes = 0;
  return {
    onProgress({ downloadedBytes, totalBytes }) {
      if (!started) {
        started = true;
        firstBytes = downloadedBytes;
        bar.start(totalBytes, downloadedBytes, {
          done: megabytes(downloadedBytes),
          all: megabytes(totalBytes),
          speed: "0.0",
        });
      }
      const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
      bar.setTotal(totalBytes);
      bar.update(downloadedBytes, {
        done: megabytes(downloadedBytes),
        all: megabytes(totalBytes),
        speed: megabytes((downloadedBytes - firstBytes) / seconds),
      });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
