import { getEnv } from "~/lib/env.server";
import { closeDb, getDb, migrateDatabase } from "~/lib/db.server";
import { seedDemoData } from "./seed";

// `npm run db:seed`: migrates the configured database and adds the demo data that is missing.
const db = getDb();
migrateDatabase(db);
seedDemoData(db);
closeDb();
console.log(`Demo data is in ${getEnv().DATABASE_PATH}.`);
