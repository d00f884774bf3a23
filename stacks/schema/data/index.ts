export { data, type DataConfig } from "./data";
export { managedStoresArgs } from "./managed.args";
export { objectStoreArgs } from "./objectstore.args";
export { postgresArgs } from "./postgres.args";
export { redisArgs } from "./redis.args";
export { searchArgs } from "./search.args";
export { storeClients, storeUses, type StoreCluster } from "./store.args";
