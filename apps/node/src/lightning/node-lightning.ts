/**
 * The node's Lightning service: `@tirami/lightning` on the node's ledger and mesh, with the wallet the
 * operator connected (saved in `wallet.json`, reconnected at start). A wallet that cannot be reached at
 * start (connected in the background) leaves the node running without one (status `connected: false`),
 * so a wallet outage never stops or delays inference; every pay and receive route then answers 409 NO_WALLET.
 * @module
 */
import type { Clock, Signer } from "@tirami/core";
import type { Ledger } from "@tirami/ledger";
import {
  type BitcoinNetwork,
  createLightning,
  describeWallet,
  type Lightning,
  type LightningMesh,
  openWallet,
  type WalletConfig,
  type WalletDescription,
} from "@tirami/lightning";
import type { Logger } from "pino";
import { readWalletFile, removeWalletFile, writeWalletFile } from "./wallet-file.js";

/** What `GET /v1/tirami/wallet` shows (no secrets). */
export interface WalletStatus {
  configured: boolean;
  connected: boolean;
  backend: WalletDescription["backend"] | null;
  endpoint: string | null;
  network: BitcoinNetwork;
  msat_per_trm: number;
}

export interface NodeLightning {
  readonly service: Lightning;
  status(): WalletStatus;
  /** Connects `config` (it must answer a balance), then saves it and makes it the node's wallet. */
  connect(config: WalletConfig): Promise<WalletStatus>;
  disconnect(): Promise<WalletStatus>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface NodeLightningOptions {
  home: string;
  ledger: Ledger;
  signer: Signer;
  clock: Clock;
  mesh: LightningMesh | undefined;
  logger: Logger;
  network: BitcoinNetwork;
  msatPerTrm: number;
  invoiceExpiryS: number;
  paymentSatsMax: number;
  satsPerHour: number;
  depositTrmMax: number;
}

/** Builds the node's Lightning service (not started). */
export function createNodeLightning(options: NodeLightningOptions): NodeLightning {
  const { logger, network } = options;
  const service = createLightning({
    ledger: options.ledger,
    signer: options.signer,
    clock: options.clock,
    ...(options.mesh === undefined ? {} : { mesh: options.mesh }),
    options: {
      network,
      msatPerTrm: options.msatPerTrm,
      invoiceExpiryS: options.invoiceExpiryS,
      paymentSatsMax: options.paymentSatsMax,
      satsPerHour: options.satsPerHour,
      depositTrmMax: options.depositTrmMax,
    },
    log: (message, fields) => logger.info(fields, message),
  });
  let saved: WalletConfig | undefined;
  const status = (): WalletStatus => {
    const description = saved === undefined ? undefined : describeWallet(saved);
    return {
      configured: saved !== undefined,
      connected: service.wallet() !== undefined,
      backend: description?.backend ?? null,
      endpoint: description?.endpoint ?? null,
      network,
      msat_per_trm: service.options.msatPerTrm,
    };
  };
  return {
    service,
    status,
    async connect(config) {
      describeWallet(config); // WALLET_CONFIG_INVALID before any connection
      const wallet = await openWallet(config, network);
      try {
        await wallet.balanceMsat();
      } catch (error) {
        await wallet.close().catch(() => undefined);
        throw error;
      }
      writeWalletFile(options.home, config);
      saved = config;
      await service.setWallet(wallet);
      logger.info({ backend: config.backend }, "wallet connected");
      return status();
    },
    async disconnect() {
      removeWalletFile(options.home);
      saved = undefined;
      await service.setWallet(undefined);
      logger.info("wallet disconnected");
      return status();
    },
    async start() {
      await service.start();
      try {
        saved = readWalletFile(options.home);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, "wallet.json is unreadable; no wallet");
        return;
      }
      const config = saved;
      if (config === undefined) return;
      // In the background: a wallet relay or LND that is down must not delay the node's start.
      void openWallet(config, network).then(
        async (wallet) => {
          if (saved === config && service.wallet() === undefined) await service.setWallet(wallet);
          else await wallet.close();
          logger.info({ backend: config.backend }, "wallet connected");
        },
        (error: unknown) =>
          logger.warn(
            { backend: config.backend, err: (error as Error).message },
            "wallet unreachable; running without it",
          ),
      );
    },
    stop: () => service.stop(),
  };
}
