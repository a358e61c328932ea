/** The UI's languages: what is shipped, which one is active (reactive), and how to change it. */
export { LANGUAGES, matchLanguage, textDirection, type LanguageChoice, type LanguageCode } from './languages';
export { locale, setLanguage } from './locale';
export { formatMessage, placeholderNames } from './message';
