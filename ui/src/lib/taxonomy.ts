// The controlled vocabularies, spelled as crates/njia-model/src/taxonomy.rs spells them.

import type { Activity, ReferralStatus, Urgency } from '../bindings';

/** CATEGORIES of njia-model, in its order. */
export const CATEGORIES = [
  'primary_care',
  'hiv',
  'tb',
  'malaria',
  'maternal',
  'child_health',
  'immunization',
  'srh',
  'gbv',
  'mental_health',
  'psychosocial',
  'nutrition',
  'emergency',
  'pharmacy',
  'laboratory',
  'disability',
  'harm_reduction',
  'legal_aid',
  'shelter',
] as const;

export const ACTIVITIES: Activity[] = [
  'health_talk',
  'door_to_door',
  'community_dialogue',
  'screening',
  'mobile_clinic',
  'distribution',
  'other',
];

export const URGENCIES: Urgency[] = ['routine', 'urgent', 'emergency'];
export const REFERRAL_STATUSES: ReferralStatus[] = ['issued', 'completed', 'not_completed'];

/** Languages clients speak most often along the routes Njia serves (ISO 639-1 / 639-3). */
export const CLIENT_LANGUAGES = [
  'sw', 'so', 'am', 'om', 'ti', 'ar', 'fr', 'pt', 'en', 'rw', 'rn', 'ln', 'ny', 'sn', 'zu', 'nd', 'lg', 'mg', 'din', 'nus',
];

/** Materials a session often hands out; other keys of an edited session are kept. */
export const MATERIALS = ['condoms', 'leaflets', 'hiv_self_tests', 'mosquito_nets', 'ors_sachets', 'dignity_kits'];
