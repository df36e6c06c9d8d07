import { getEnv } from "~/lib/env.server";
import { closeDb, getDb, migrateDatabase } from "~/lib/db.server";
import { seedDemoRound } from "./demo-round";
import { seedDemoData } from "./seed";

// `npm run db:seed`: migrates the configured database and adds the demo data that is missing:
// the people and organisations, and the demo round unless it is there.
const db = getDb();
migrateDatabase(db);
seedDemoData(db);
seedDemoRound(db, { appUrl: getEnv().APP_URL });
closeDb();
console.log(`Demo data is in ${getEnv().DATABASE_PATH}.`);
