import { bootstrapApplication } from '@angular/platform-browser';
import { ChatComponent } from './app/chat.component';

// Zoneless (Angular's default since v21): signals drive change detection, no zone.js.
bootstrapApplication(ChatComponent).catch((error: unknown) => console.error(error));
