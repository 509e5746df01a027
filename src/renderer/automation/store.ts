import { create } from 'zustand';

export type AutomationTab = 'notifications' | 'rules' | 'approvals';

export const useAutomation = create<{ tab: AutomationTab; setTab(tab: AutomationTab): void }>((set) => ({
  tab: 'notifications',
  setTab: (tab) => set({ tab }),
}));
